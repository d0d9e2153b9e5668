"""Where the project's committed files are, relative to the project folder.

The project folder is the one that holds settings.toml; every command finds the
files below from there, whatever the current directory.
"""

from pathlib import Path

DEFINITION_PATH = Path("statemachine", "definition.asl.json")  # the first stage's
README_PATH = Path("README.md")
STORAGE_TEMPLATE = Path("infrastructure", "storage.yaml")
PIPELINE_TEMPLATE = Path("infrastructure", "pipeline.yaml")
CI_ROLE_TEMPLATE = Path("infrastructure", "ci-deploy-role.yaml")


def definition_path(stage: str | None = None) -> Path:
    """The committed definition of a stage: the first stage's (``stage`` None), or a
    later stage's own ([stages]: its endpoint settings may differ), reviewed alike."""
    if stage is None:
        return DEFINITION_PATH
    return DEFINITION_PATH.with_name(f"definition.{stage}.asl.json")
