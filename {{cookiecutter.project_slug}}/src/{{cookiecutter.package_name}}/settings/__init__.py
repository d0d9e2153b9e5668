"""Settings: reading, validating and filling in settings.toml, and the names they give.

Everything in this folder uses the standard library only, on the oldest Python the
template's hooks support: the hooks load these modules at bake time, before any
dependency is installed, so that a bad answer is refused with the very rule that
later checks settings.toml.
"""

from .errors import SettingsError
from .model import QualityGate, Settings, find_settings_file, load_settings

__all__ = ["QualityGate", "Settings", "SettingsError", "find_settings_file", "load_settings"]
