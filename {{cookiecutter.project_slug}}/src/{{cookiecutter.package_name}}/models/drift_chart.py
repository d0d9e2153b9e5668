"""A drift report as a picture: per feature, the share of values in each of the
baseline's buckets, training (baseline) against captured requests. An SVG, no
plotting library (the notebook shows it; GitHub renders it)."""

from __future__ import annotations

from typing import Any

BASELINE_COLOR, CAPTURED_COLOR = "#9e9e9e", "#d62728"


def shares(feature: dict[str, Any]) -> list[float]:
    """Each bucket's share of the feature's bucketed values (statistics.json)."""
    counts = [b["count"] for b in feature["numerical_statistics"]["distribution"]["kll"]["buckets"]]
    total = sum(counts)
    return [count / total if total else 0.0 for count in counts]


def drift_chart_svg(
    baseline: dict[str, Any],
    captured: dict[str, Any],
    drifted: set[str] = frozenset(),
    panel_width: int = 170,
    panel_height: int = 110,
    columns: int = 4,
) -> str:
    """Small multiples, one per feature; a drifted feature's title is in red."""
    by_name = {feature["name"]: feature for feature in captured["features"]}
    features = [f for f in baseline["features"] if f["name"] in by_name]
    rows = max(1, -(-len(features) // columns))
    width, height = panel_width * columns, panel_height * rows + 24
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             'font-family="sans-serif" font-size="10">']  # fmt: skip
    for index, feature in enumerate(features):
        left = (index % columns) * panel_width
        top = (index // columns) * panel_height
        parts += _panel(feature, by_name[feature["name"]], left, top, panel_width, panel_height,
                        feature["name"] in drifted)  # fmt: skip
    for x, label, color in ((4, "training (baseline)", BASELINE_COLOR),
                            (130, "captured requests", CAPTURED_COLOR)):  # fmt: skip
        parts.append(f'<text x="{x}" y="{height - 6}" fill="{color}">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _panel(baseline, captured, left, top, width, height, drifted) -> list[str]:
    trained, seen = shares(baseline), shares(captured)
    tallest = max(trained + seen + [1e-9])
    inner_left, inner_top = left + 8, top + 18
    inner_width, inner_height = width - 16, height - 30
    step = inner_width / max(len(trained), 1)

    def y(share: float) -> float:
        return inner_top + inner_height * (1 - share / tallest)

    color = CAPTURED_COLOR if drifted else "#000"
    parts = [f'<text x="{inner_left}" y="{top + 12}" fill="{color}">'
             f'{_escape(baseline["name"])}{" (drifted)" if drifted else ""}</text>']  # fmt: skip
    for k, share in enumerate(trained):
        bar_top = y(share)
        parts.append(f'<rect x="{inner_left + k * step + 1:.1f}" y="{bar_top:.1f}" '
                     f'width="{step - 2:.1f}" height="{inner_top + inner_height - bar_top:.1f}" '
                     f'fill="{BASELINE_COLOR}"/>')  # fmt: skip
    points = " ".join(f"{inner_left + (k + 0.5) * step:.1f},{y(share):.1f}"
                      for k, share in enumerate(seen))  # fmt: skip
    parts.append(f'<polyline points="{points}" fill="none" stroke="{CAPTURED_COLOR}" '
                 'stroke-width="2"/>')  # fmt: skip
    return parts


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
