"""Fixtures for the template's tests: a clean environment and a bake helper.

No test reaches AWS or the internet: credentials, AWS config and instance
metadata are hidden from every test, and from the hooks they run.
"""

from __future__ import annotations

import pytest
from template_facts import TEMPLATE_DIR


@pytest.fixture(autouse=True)
def no_aws(monkeypatch, tmp_path_factory):
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_STS",
        "RETRAIN_NO_AWS_LOOKUP",
    ):
        monkeypatch.delenv(name, raising=False)
    empty = tmp_path_factory.mktemp("no-aws-config") / "none"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def bake(cookies):
    """Bake the template with some answers changed; returns pytest-cookies' result."""

    def bake_with(**answers):
        return cookies.bake(extra_context=answers, template=str(TEMPLATE_DIR))

    return bake_with


@pytest.fixture(scope="session")
def baked(cookies_session):
    """The project baked for a configuration of the matrix, baked once per session."""
    from template_facts import CONFIGURATIONS

    projects = {}

    def project_for(name: str):
        if name not in projects:
            result = cookies_session.bake(
                extra_context=CONFIGURATIONS[name], template=str(TEMPLATE_DIR)
            )
            assert result.exit_code == 0, result.exception
            projects[name] = result.project_path
        return projects[name]

    return project_for


def pytest_collection_modifyitems(items):
    """The baked projects' own suites take minutes each: started first, they run beside
    each other while the short tests fill in around them, instead of one running alone
    at the end (pytest-xdist hands tests out in collection order; with --dist worksteal
    an idle worker takes half of a busy one's queue). Stable: each group keeps its order."""
    items.sort(key=lambda item: 0 if item.get_closest_marker("slow") else 1)
