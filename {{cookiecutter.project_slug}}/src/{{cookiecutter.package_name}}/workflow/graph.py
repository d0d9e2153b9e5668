"""A Mermaid diagram of a state machine definition.

GitHub, GitLab and JupyterLab 4 render Mermaid natively (the SDK's own graph needs
classic Jupyter). Built from the ASL JSON alone, so it shows exactly what is
deployed: every state, every Next/Default/Choice edge, and Catch edges dashed.
"""

from __future__ import annotations

import re
from typing import Any

_SHAPES = {
    "Choice": ("{", "}"),
    "Succeed": ("([", "])"),
    "Fail": ("([", "])"),
    "Pass": ("[/", "/]"),
}


def node_id(state_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", state_name).strip("_")


def _label(text: str) -> str:
    return text.replace('"', "#quot;")


def to_mermaid(definition: dict[str, Any]) -> str:
    lines = ["flowchart TD", f"    start((start)) --> {node_id(definition['StartAt'])}"]
    for name, state in definition["States"].items():
        opening, closing = _SHAPES.get(state["Type"], ("[", "]"))
        lines.append(f'    {node_id(name)}{opening}"{_label(name)}"{closing}')
    for name, state in definition["States"].items():
        source = node_id(name)
        for choice in state.get("Choices", []):
            label = _label(describe_rule(choice))
            lines.append(f'    {source} -->|"{label}"| {node_id(choice["Next"])}')
        if "Default" in state:
            lines.append(f'    {source} -->|"otherwise"| {node_id(state["Default"])}')
        if "Next" in state:
            lines.append(f"    {source} --> {node_id(state['Next'])}")
        for catch in state.get("Catch", []):
            errors = ", ".join(catch["ErrorEquals"])
            lines.append(f'    {source} -.->|"{_label(errors)}"| {node_id(catch["Next"])}')
    return "\n".join(lines) + "\n"


def describe_rule(rule: dict[str, Any]) -> str:
    if "And" in rule or "Or" in rule:
        joiner = " and " if "And" in rule else " or "
        return joiner.join(describe_rule(inner) for inner in rule.get("And", rule.get("Or")))
    if "Not" in rule:
        return f"not ({describe_rule(rule['Not'])})"
    variable = rule.get("Variable", "")
    for operator, symbol in (
        ("NumericLessThan", "<"),
        ("NumericGreaterThan", ">"),
        ("NumericLessThanEquals", "<="),
        ("NumericGreaterThanEquals", ">="),
        ("StringEquals", "=="),
        ("StringEqualsPath", "=="),
        ("StringMatches", "matches"),
    ):
        if operator in rule:
            return f"{variable} {symbol} {rule[operator]}"
    if rule.get("IsPresent") is True:
        return f"{variable} given"
    return variable


GRAPH_BEGIN = "<!-- BEGIN workflow graph (written by the render command) -->"
GRAPH_END = "<!-- END workflow graph -->"


def with_graph_block(document: str, mermaid: str) -> str:
    """``document`` (the README) with the text between the graph markers replaced.

    A document without both markers is returned unchanged: the user removed them.
    """
    begin, end = document.find(GRAPH_BEGIN), document.find(GRAPH_END)
    if begin < 0 or end < begin:
        return document
    block = f"{GRAPH_BEGIN}\n```mermaid\n{mermaid}```\n"
    return document[:begin] + block + document[end:]
