"""What deploy uploads: reproducible builds under content-hashed keys."""

from __future__ import annotations

import io
import sys
import zipfile

from ..artifacts import EVALUATOR_HANDLER, build_artifacts, evaluator_zip


def test_builds_are_byte_for_byte_reproducible():
    assert evaluator_zip() == evaluator_zip()
    first, second = build_artifacts("{}"), build_artifacts("{}")
    assert {name: a.key for name, a in first.items()} == {n: a.key for n, a in second.items()}


def test_a_changed_definition_changes_only_its_own_key():
    before, after = build_artifacts("{}"), build_artifacts('{"Comment": "x"}')
    changed = {name for name in before if before[name].key != after[name].key}
    assert changed == {"DefinitionKey"}


def test_the_lambda_runtime_can_import_the_handler_from_the_zip(tmp_path, monkeypatch):
    zipfile.ZipFile(io.BytesIO(evaluator_zip())).extractall(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    module_name, function_name = EVALUATOR_HANDLER.split(".")
    monkeypatch.delitem(sys.modules, module_name, raising=False)
    module = __import__(module_name)
    assert callable(getattr(module, function_name))
    assert module.__file__.startswith(str(tmp_path))
