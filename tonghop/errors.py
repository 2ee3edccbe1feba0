"""The few exceptions that mean "this run cannot continue" (problems in files are data, not exceptions)."""


class TonghopError(Exception):
    """Base of tonghop's own errors; the CLI prints the message and exits non-zero."""


class ConfigError(TonghopError):
    """The province configuration is missing or inconsistent."""


class StorageError(TonghopError):
    """The database cannot be opened or migrated."""


class OutputError(TonghopError):
    """The output folder cannot be written."""
