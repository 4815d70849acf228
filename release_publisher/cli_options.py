"""Pieces of the command line's argument parser (:func:`release_publisher.cli.build_parser`):
``-v``/``-q`` accepted before and after the subcommand, the ``--app-version`` action
(whose alias ``--version`` without a value prints the tool's version), and which
subcommand an argv names before it is parsed. argparse and the package version only.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from . import __version__


def log_options(parser: argparse.ArgumentParser, *, default: Any) -> None:
    """``-v`` and ``-q`` on ``parser``: the top-level parser's default False, the
    subcommands' SUPPRESS, so either place works (``-v check``, ``check -v``)."""
    parser.add_argument(
        "--verbose", "-v", action="store_true", default=default, help="debug logs and tracebacks"
    )
    parser.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        default=default,
        help="print only warnings, errors and the result line (--verbose wins)",
    )


class AppVersion(argparse.Action):
    """``--app-version VERSION`` / ``--version VERSION`` on a subcommand; a bare
    ``--version`` (no value) prints the tool's version and exits 0, as it does before
    the subcommand."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs="?", **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        if values is None:
            if option_string == "--version":  # as argparse's version action: stdout
                sys.stdout.write(f"release-publisher {__version__}\n")
                parser.exit()
            parser.error(f"argument {option_string}: expected one argument")
        setattr(namespace, self.dest, values)


def command_of(arguments: Sequence[str]) -> str | None:
    """The subcommand named in ``arguments``: the first that is not an option (the
    top-level options take no value), or None. ``check --config sandbox`` is
    ``check``."""
    return next((a for a in arguments if not a.startswith("-")), None)
