"""What deploy uploads: reproducible builds under content-hashed keys."""

from __future__ import annotations

import io
import sys
import zipfile

from project.aws.artifacts import EVALUATOR_HANDLER, build_artifacts, evaluator_zip


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


def _bucket_with_the_artifacts():
    import boto3

    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="artifacts")
    return s3, build_artifacts('{"StartAt": "A"}')


def test_a_tampered_object_under_a_content_hashed_key_is_put_back():
    from moto import mock_aws
    from project.aws.artifacts import upload

    with mock_aws():
        s3, artifacts = _bucket_with_the_artifacts()
        glue = artifacts["GlueScriptKey"]
        upload(s3, "artifacts", artifacts, say=lambda line: None)
        s3.put_object(Bucket="artifacts", Key=glue.key, Body=b"import os; os.system('x')")
        said = []
        upload(s3, "artifacts", artifacts, say=said.append)
        body = s3.get_object(Bucket="artifacts", Key=glue.key)["Body"].read()
        assert body == glue.body
        assert [line for line in said if "did not match" in line] == [
            f"  s3://artifacts/{glue.key} ({len(glue.body):,} bytes) replacing an object "
            "whose content did not match"
        ]
        assert sum("(unchanged)" in line for line in said) == 2


def test_an_intact_object_is_left_as_it_is():
    from moto import mock_aws
    from project.aws.artifacts import upload

    with mock_aws():
        s3, artifacts = _bucket_with_the_artifacts()
        upload(s3, "artifacts", artifacts, say=lambda line: None)
        versions = s3.list_objects_v2(Bucket="artifacts")["Contents"]
        said = []
        upload(s3, "artifacts", artifacts, say=said.append)
        assert all(line.endswith("(unchanged)") for line in said) and len(said) == 3
        assert s3.list_objects_v2(Bucket="artifacts")["Contents"] == versions
