"""Where the project's committed files are, relative to the project folder.

The project folder is the one that holds settings.toml; every command finds the
files below from there, whatever the current directory.
"""

from pathlib import Path

DEFINITION_PATH = Path("statemachine", "definition.asl.json")
README_PATH = Path("README.md")
STORAGE_TEMPLATE = Path("infrastructure", "storage.yaml")
PIPELINE_TEMPLATE = Path("infrastructure", "pipeline.yaml")
CI_ROLE_TEMPLATE = Path("infrastructure", "ci-deploy-role.yaml")
