"""The package version, read from the installed distribution (``pyproject.toml`` holds it)."""

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("cerebellar")
except PackageNotFoundError:  # pragma: no cover - running from a source tree that is not installed
    VERSION = "0+unknown"
