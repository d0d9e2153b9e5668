"""Cookiecutter's Jinja keeps the template's compiled files in the user's cache folder.

Compiling the rendered files (the README, the state machine definition, settings.toml)
was a quarter of a bake's own time, the same work at every bake. Jinja's own bytecode
cache keys each entry by the file's name and checks it against the file's text and the
Python version, so an edited template or another Python compiles afresh. Listed in
cookiecutter.json's _extensions (cookiecutter imports it from the template's folder);
where the cache folder cannot be written, Jinja compiles as before.
"""

from __future__ import annotations

import os
from pathlib import Path

from jinja2 import Environment, FileSystemBytecodeCache
from jinja2.ext import Extension


def cache_folder() -> Path:
    """The template's folder in the user's cache folder (XDG), as the hooks use it."""
    cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache_home) / "retrain-template" / "jinja"


class BytecodeCache(Extension):
    def __init__(self, environment: Environment):
        super().__init__(environment)
        try:
            folder = cache_folder()
            folder.mkdir(parents=True, exist_ok=True)
        except (OSError, RuntimeError):  # no home folder, or one this user cannot write
            return
        if os.access(folder, os.W_OK):
            environment.bytecode_cache = FileSystemBytecodeCache(str(folder))
