"""The package under test, importable as ``project`` whatever it was named at bake time.

The tests are the same files in every project baked from the template, and plain
Python before and after baking, so they cannot spell the package's name. This alias
hands out the package's own module objects (``project.settings`` *is* the package's
``settings``), so classes, exceptions and module state are shared, not copied.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import tomllib
from pathlib import Path
from types import ModuleType

ALIAS = "project"
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def package_name() -> str:
    """The import name of the project's package, from its console script's entry point."""
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (entry_point,) = pyproject["project"]["scripts"].values()
    return entry_point.split(".", 1)[0]


PACKAGE = package_name()


class _SameModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``project.x`` as the module ``<package>.x`` already is (or now becomes)."""

    def find_spec(self, name: str, path=None, target=None):
        if name != ALIAS and not name.startswith(f"{ALIAS}."):
            return None
        real = importlib.import_module(PACKAGE + name[len(ALIAS) :])
        is_package = hasattr(real, "__path__")
        return importlib.machinery.ModuleSpec(name, self, is_package=is_package)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        real = sys.modules[PACKAGE + spec.name[len(ALIAS) :]]
        self._original_spec = real.__spec__
        return real

    def exec_module(self, module: ModuleType) -> None:
        # The import system set this alias's spec on the real module: put its own back.
        module.__spec__ = self._original_spec


def install() -> None:
    if not any(isinstance(finder, _SameModules) for finder in sys.meta_path):
        sys.meta_path.insert(0, _SameModules())
