"""The platform's version, from the installed package."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kvinnofrid")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
