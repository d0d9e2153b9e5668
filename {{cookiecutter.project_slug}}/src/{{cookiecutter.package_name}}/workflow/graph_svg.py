"""The workflow as an SVG image, for notebooks.

Mermaid in a notebook renders in JupyterLab 4.1+ but not in GitHub's notebook
viewer, and the SDK's own graph needs classic Jupyter. An SVG image output renders
in both. The layout is deliberately simple and deterministic: each state sits on
the row of its longest path from the start, Catch edges are dashed and drawn behind
the boxes, and every Choice edge carries its rule.
"""

from __future__ import annotations

from html import escape
from typing import Any

from .graph import describe_rule

BOX_HEIGHT, ROW_GAP, COLUMN_GAP, MARGIN, CHAR_WIDTH = 34, 56, 28, 20, 7
LABEL_ROOM = 120  # Choice rules are written beside their edges, past the widest row
FILL = {"Choice": "#fff4d6", "Succeed": "#dff5e1", "Fail": "#fde2e1", "Pass": "#eef2f7"}
START = "start"


def edges_of(definition: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """(source, target, label, is_catch) for every transition, the start's included."""
    edges = [(START, definition["StartAt"], "", False)]
    for name, state in definition["States"].items():
        edges += [
            (name, rule["Next"], describe_rule(rule), False) for rule in state.get("Choices", [])
        ]
        if "Default" in state:
            edges.append((name, state["Default"], "otherwise", False))
        if "Next" in state:
            edges.append((name, state["Next"], "", False))
        edges += [(name, catch["Next"], "", True) for catch in state.get("Catch", [])]
    return edges


def rows_of(definition: dict[str, Any], edges) -> list[list[str]]:
    """States grouped by the length of their longest path from the start."""
    depth = {START: 0}
    for _ in range(len(definition["States"]) + 1):  # relax until stable (a DAG: <= n passes)
        changed = False
        for source, target, _label, _catch in edges:
            if source in depth and depth.get(target, -1) < depth[source] + 1:
                depth[target] = depth[source] + 1
                changed = True
        if not changed:
            break
    rows: list[list[str]] = [[] for _ in range(max(depth.values()) + 1)]
    for name in [START, *definition["States"]]:
        if name in depth:
            rows[depth[name]].append(name)
    return rows


def to_svg(definition: dict[str, Any]) -> str:
    edges = edges_of(definition)
    rows = rows_of(definition, edges)
    width = {name: max(90, CHAR_WIDTH * len(name) + 24) for row in rows for name in row}
    row_widths = [sum(width[n] for n in row) + COLUMN_GAP * (len(row) - 1) for row in rows]
    total_width = max(row_widths) + 2 * MARGIN + LABEL_ROOM
    centre: dict[str, tuple[float, float]] = {}
    for index, row in enumerate(rows):
        x = (total_width - row_widths[index]) / 2
        y = MARGIN + index * (BOX_HEIGHT + ROW_GAP)
        for name in row:
            centre[name] = (x + width[name] / 2, y + BOX_HEIGHT / 2)
            x += width[name] + COLUMN_GAP
    height = MARGIN * 2 + len(rows) * BOX_HEIGHT + (len(rows) - 1) * ROW_GAP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_width:.0f}" height="{height}" '
        f'viewBox="0 0 {total_width:.0f} {height}" font-family="sans-serif" font-size="12">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    ]
    for source, target, label, is_catch in sorted(edges, key=lambda edge: not edge[3]):
        (x1, y1), (x2, y2) = centre[source], centre[target]
        y1, y2 = y1 + BOX_HEIGHT / 2, y2 - BOX_HEIGHT / 2
        style = 'stroke="#c9c9c9" stroke-dasharray="4 3"' if is_catch else 'stroke="#555"'
        parts.append(
            f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" {style} '
            'marker-end="url(#arrow)"/>'
        )
        if label:
            parts.append(
                f'<text x="{(x1 + x2) / 2 + 4:.0f}" y="{(y1 + y2) / 2:.0f}" fill="#8a5a00">'
                f"{escape(label)}</text>"
            )
    for name, (x, y) in centre.items():
        kind = "Start" if name == START else definition["States"][name]["Type"]
        fill = FILL.get(kind, "#e8f0fe")
        radius = BOX_HEIGHT / 2 if kind in ("Start", "Succeed", "Fail") else 4
        parts.append(
            f'<rect x="{x - width[name] / 2:.0f}" y="{y - BOX_HEIGHT / 2:.0f}" '
            f'width="{width[name]}" height="{BOX_HEIGHT}" rx="{radius:.0f}" fill="{fill}" '
            f'stroke="#555"><title>{escape(kind)}</title></rect>'
        )
        parts.append(
            f'<text x="{x:.0f}" y="{y + 4:.0f}" text-anchor="middle">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
