"""The ``finflag`` command line (see :mod:`finflag.cli.main`)."""

from .main import main

__all__ = ["main"]
