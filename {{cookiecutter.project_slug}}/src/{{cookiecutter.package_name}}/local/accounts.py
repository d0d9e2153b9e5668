"""Local mode's accounts: a folder and an account id for each stage of settings.toml.

The first stage's local account is .local/ (account 000000000000); a later stage's,
such as prod, is .local-prod/ with an id of its own (000000000001, ...), so that a
promotion between them crosses accounts as it does on AWS: its ARNs say so, and the
first stage's registry answers another account only as its group policy allows.
"""

from __future__ import annotations

from pathlib import Path

from ..settings import Settings

LOCAL_FOLDER = ".local"
LOCAL_ACCOUNT = "000000000000"


def stage_folder(settings: Settings) -> Path:
    """The local account's folder of the settings' stage, beside settings.toml."""
    name = LOCAL_FOLDER if settings.is_first_stage else f"{LOCAL_FOLDER}-{settings.stage}"
    return settings.path.parent / name


def stage_account(settings: Settings, stage: str | None = None) -> str:
    """The local account id of a stage (by default the settings' own)."""
    return f"{settings.stages.names.index(stage or settings.stage):012d}"


def later_stage_accounts(settings: Settings) -> list[str]:
    """The local accounts the first stage's group policy grants (PromotionAccounts)."""
    return [stage_account(settings, stage.name) for stage in settings.stages.later]
