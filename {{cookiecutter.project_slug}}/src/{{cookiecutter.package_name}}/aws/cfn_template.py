"""Read the project's CloudFormation templates and resolve their values offline.

A small reader for the subset of CloudFormation the templates use: the short-form
tags (!Ref, !Sub, !GetAtt, !If, !Equals, !Not, !Select, ...) and conditions. It
exists so that what the stacks create can be printed or checked from the same file
CloudFormation reads (`iam-policies`, and the tests of the IAM policies), instead of
from a second copy that could drift.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# The short-form tags, as the long form each stands for.
_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    **{
        f"!{name}": f"Fn::{name}"
        for name in ("Sub", "GetAtt", "If", "Equals", "Not", "And", "Or", "Select", "Join")
    },
}
_SUB_VARIABLE = re.compile(r"\$\{([^}!]+)\}")


class UnresolvedError(ValueError):
    """A value that needs something the resolver was not given."""


class _Loader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags, read into their long form."""


def _construct(tag: str):
    def construct(loader: _Loader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if tag == "Fn::GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {tag: value}

    return construct


for _short, _long in _TAGS.items():
    _Loader.add_constructor(_short, _construct(_long))


def load_template(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # a SafeLoader


_NO_VALUE = object()  # !Ref AWS::NoValue: the property is left out


@dataclass
class Resolver:
    """Resolves a template's values for given parameters and pseudo parameters.

    ``references`` answers !Ref and !GetAtt of resources (logical id, or
    "LogicalId.Attribute"); anything else unknown raises UnresolvedError.
    """

    template: Mapping[str, Any]
    parameters: Mapping[str, str]
    references: Mapping[str, str] = field(default_factory=dict)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, argument), = value.items()  # fmt: skip
            if key == "Ref":
                return self._ref(argument)
            if key == "Condition":
                return self.condition(argument)
            if key.startswith("Fn::"):
                return self._function(key, argument)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not _NO_VALUE}

    def condition(self, name: str) -> bool:
        return bool(self.resolve(self.template["Conditions"][name]))

    def _ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return _NO_VALUE
        declared = self.template.get("Parameters", {}).get(name, {})
        if name in self.parameters:
            return _as_declared(self.parameters[name], declared)
        if name in self.references:
            return self.references[name]
        if "Default" in declared:  # as CloudFormation takes a parameter left out
            return _as_declared(str(declared["Default"]), declared)
        raise UnresolvedError(f"!Ref {name}: no value given for it")

    def _function(self, key: str, argument: Any) -> Any:
        if key == "Fn::Sub":
            text, variables = (argument, {}) if isinstance(argument, str) else argument
            variables = {name: self.resolve(item) for name, item in variables.items()}
            return _SUB_VARIABLE.sub(lambda m: self._sub_variable(m[1], variables), text)
        if key == "Fn::GetAtt":
            name = ".".join(argument)
            if name not in self.references:
                raise UnresolvedError(f"!GetAtt {name}: no value given for it")
            return self.references[name]
        if key == "Fn::If":
            name, when_true, when_false = argument
            return self.resolve(when_true if self.condition(name) else when_false)
        arguments = self.resolve(argument)
        if key == "Fn::Equals":
            return str(arguments[0]) == str(arguments[1])
        if key == "Fn::Not":
            return not arguments[0]
        if key == "Fn::And":
            return all(arguments)
        if key == "Fn::Or":
            return any(arguments)
        if key == "Fn::Select":
            return arguments[1][int(arguments[0])]
        if key == "Fn::Join":
            return arguments[0].join(arguments[1])
        raise UnresolvedError(f"{key} is not supported here")

    def _sub_variable(self, name: str, variables: Mapping[str, Any]) -> str:
        if name in variables:
            return str(variables[name])
        if "." in name:
            return str(self._function("Fn::GetAtt", name.split(".", 1)))
        return str(self._ref(name))


def _as_declared(value: Any, declared: Mapping[str, Any]) -> Any:
    """A CommaDelimitedList given as text (as the stacks' parameters are) is the list
    CloudFormation makes of it."""
    if declared.get("Type") == "CommaDelimitedList" and isinstance(value, str):
        return value.split(",")
    return value


def pseudo_parameters(partition: str, region: str, account_id: str) -> dict[str, str]:
    return {"AWS::Partition": partition, "AWS::Region": region, "AWS::AccountId": account_id}
