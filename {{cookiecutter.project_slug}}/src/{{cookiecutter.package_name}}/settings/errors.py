"""The one error of the settings layer: every module here raises it, the CLI prints it."""


class SettingsError(ValueError):
    """settings.toml is missing, unreadable or holds a value the rules refuse."""
