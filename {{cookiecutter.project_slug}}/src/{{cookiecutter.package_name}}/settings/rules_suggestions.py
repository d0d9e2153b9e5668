"""The hints of the rules' messages: "did you mean ...?" for a typo, the list of choices.

Standard library only, like every ``rules_*`` module (see rules.py).
"""

from __future__ import annotations


def edit_distance(first: str, second: str) -> int:
    """Levenshtein distance: the fewest insertions, deletions and substitutions."""
    previous = list(range(len(second) + 1))
    for row, first_char in enumerate(first, start=1):
        current = [row]
        for column, second_char in enumerate(second, start=1):
            current.append(
                min(
                    previous[column] + 1,
                    current[column - 1] + 1,
                    previous[column - 1] + (first_char != second_char),
                )
            )
        previous = current
    return previous[-1]


def did_you_mean(value: str, candidates) -> str:
    """'; did you mean X?' for the closest candidate (earlier ones win ties), or ''."""
    ranked = sorted(
        enumerate(candidates), key=lambda item: (edit_distance(value, item[1]), item[0])
    )
    if not ranked:
        return ""
    best = ranked[0][1]
    if edit_distance(value, best) > max(2, len(value) // 3):
        return ""
    return f"; did you mean '{best}'?"


def one_of(value: str, choices, what: str) -> str | None:
    """None for one of ``choices``, else a message listing them all."""
    if value in choices:
        return None
    listed = ", ".join(f"'{choice}'" for choice in choices)
    return f"'{value}' is not {what}; choose one of {listed}"
