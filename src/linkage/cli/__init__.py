"""Command-line interface: thin commands over :mod:`linkage.pipeline`."""

from linkage.cli._main import cli, main

__all__ = ["cli", "main"]
