"""Settings: reading, validating and filling in settings.toml, and the names they give.

Everything in this folder uses the standard library only, on the oldest Python the
template's hooks support: the hooks load these modules at bake time, before any
dependency is installed, so that a bad answer is refused with the very rule that
later checks settings.toml.
"""

from .errors import SettingsError

__all__ = ["QualityGate", "Settings", "SettingsError", "find_settings_file", "load_settings"]
_FROM_MODEL = {"QualityGate", "Settings", "find_settings_file", "load_settings"}


def __getattr__(name: str):
    """The reading of settings.toml, imported on first use: a hook that needs only the
    rules does not pay for it (each of a bake's hooks is a process of its own)."""
    if name in _FROM_MODEL:
        from . import model

        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
