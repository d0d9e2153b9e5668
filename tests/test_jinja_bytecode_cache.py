"""jinja_bytecode_cache: a bake keeps its compiled templates in the user's cache folder,
reads them at the next bake, compiles afresh when a template changes, and bakes the
same files when there is no cache folder to use. Real cookiecutter, in process."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter
from jinja2 import Environment, FileSystemLoader
from template_facts import TEMPLATE_DIR


def load_extension():
    spec = importlib.util.spec_from_file_location(
        "jinja_bytecode_cache", TEMPLATE_DIR / "jinja_bytecode_cache.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bake_into(folder) -> Path:
    folder.mkdir()
    return Path(cookiecutter(str(TEMPLATE_DIR), no_input=True, output_dir=str(folder)))


def files_of(project):
    return {
        path.relative_to(project): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


def test_a_second_bake_reads_what_the_first_compiled(tmp_path, cache_home):
    first = bake_into(tmp_path / "first")
    cache = load_extension().cache_folder()
    assert cache.parent == cache_home / "retrain-template" / "jinja"
    written = {path.name: path.stat().st_mtime_ns for path in cache.iterdir()}
    assert len(written) >= 5  # README.md, settings.toml, the definition, ...
    second = bake_into(tmp_path / "second")
    # A hit is read, never written again: the same entries, untouched.
    assert {path.name: path.stat().st_mtime_ns for path in cache.iterdir()} == written
    assert files_of(first) == files_of(second)


def test_without_a_cache_folder_the_bake_compiles_the_same_files(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cached"))
    cached = bake_into(tmp_path / "with-cache")
    (tmp_path / "a-file").write_text("where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "a-file"))
    uncached = bake_into(tmp_path / "without-cache")
    assert files_of(cached) == files_of(uncached)


def test_an_edited_template_is_compiled_afresh(tmp_path, cache_home):
    extension = load_extension().BytecodeCache
    templates = tmp_path / "templates"
    templates.mkdir()

    def render() -> str:
        environment = Environment(loader=FileSystemLoader(templates), extensions=[extension])
        assert environment.bytecode_cache is not None
        return environment.get_template("file.txt").render(x=1)

    (templates / "file.txt").write_text("one {{ x }}")
    assert render() == "one 1"
    (templates / "file.txt").write_text("two {{ x }}")
    assert render() == "two 1"


def test_a_cache_that_fails_to_read_or_write_only_means_compiling(tmp_path, cache_home):
    extension = load_extension()
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "file.txt").write_text("one {{ x }}")

    def render() -> str:
        environment = Environment(
            loader=FileSystemLoader(templates), extensions=[extension.BytecodeCache]
        )
        return environment.get_template("file.txt").render(x=1)

    assert render() == "one 1"
    (entry,) = extension.cache_folder().iterdir()
    entry.write_bytes(entry.read_bytes()[:20])  # an entry cut short
    assert render() == "one 1"
    environment = Environment(
        loader=FileSystemLoader(templates), extensions=[extension.BytecodeCache]
    )
    for stale in extension.cache_folder().iterdir():
        stale.unlink()
    extension.cache_folder().rmdir()  # a cache cleaner, between the bake's start and its writes
    assert environment.get_template("file.txt").render(x=1) == "one 1"
