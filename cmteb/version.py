"""cmteb's version (the package's `__version__`), importable without importing the package's API."""

__version__ = "0.1.0"
