"""Cookiecutter's Jinja keeps the template's compiled files in the user's cache folder.

Compiling the rendered files (the README, the state machine definition, settings.toml)
was a quarter of a bake's own time, the same work at every bake. Jinja's bytecode cache
keys each entry by the file's name and checks it against the file's text and the Python
version; the entries sit in a folder of their own for each Jinja and cookiecutter
version, whose compilers and environment settings shape the compiled code. Listed in
cookiecutter.json's _extensions (cookiecutter 2.1+ imports it from the template's
folder); copier does not read that file and compiles each time. A cache that cannot be
read or written (no home folder, a full disk) only means compiling, as before.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from pathlib import Path

import cookiecutter
import jinja2
from jinja2 import Environment, FileSystemBytecodeCache
from jinja2.bccache import Bucket
from jinja2.ext import Extension


def cache_folder() -> Path:
    """This Jinja's and cookiecutter's folder in the user's cache folder (XDG), beside
    the hooks' compiled modules."""
    cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    versions = f"jinja2-{jinja2.__version__}-cookiecutter-{cookiecutter.__version__}"
    return Path(cache_home) / "retrain-template" / "jinja" / versions


class ForgivingBytecodeCache(FileSystemBytecodeCache):
    """Jinja's file cache, where a failed read or write compiles instead of failing."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, pickle.UnpicklingError):  # unreadable, cut short
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


class BytecodeCache(Extension):
    def __init__(self, environment: Environment):
        super().__init__(environment)
        try:
            folder = cache_folder()
            folder.mkdir(parents=True, exist_ok=True)
        except (OSError, RuntimeError):  # no home folder, or one this user cannot write
            return
        if os.access(folder, os.W_OK):
            environment.bytecode_cache = ForgivingBytecodeCache(str(folder))
