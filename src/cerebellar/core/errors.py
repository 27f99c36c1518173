"""User-facing errors. The CLI prints any `CerebellarError` on one line and exits with 2."""


class CerebellarError(Exception):
    """An error caused by the user's input (a bad parameter, name or path), not by a bug."""


class ParameterError(CerebellarError, ValueError):
    """A parameter value that is unknown, unparsable or outside its allowed range."""


class UnknownExperimentError(CerebellarError, LookupError):
    """An experiment name that is not in the registry."""


class OutputError(CerebellarError, OSError):
    """An output location that cannot be written."""
