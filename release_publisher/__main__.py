"""Process entry point: ``python -m release_publisher`` and the ``release-publisher``
console script.

A stdout whose reader went away (``release-publisher --help | head -1``) ends the
process quietly with :data:`~release_publisher.closed_pipe.EXIT_BROKEN_PIPE`, no
traceback: the commands guard their own output (:mod:`release_publisher.closed_pipe`);
this catches what argparse prints (``--help``, ``--version``) and the last flush.
"""

from __future__ import annotations

import sys

from .cli import main as cli_main
from .closed_pipe import EXIT_BROKEN_PIPE, is_closed_pipe, silence


def main() -> None:
    """Run the CLI and exit with its code."""
    try:
        code = cli_main()
    except OSError as exc:
        if not is_closed_pipe(exc):
            raise
        silence(sys.stdout)
        code = EXIT_BROKEN_PIPE
    try:
        sys.stdout.flush()
    except OSError as exc:
        if not is_closed_pipe(exc):
            raise
        silence(sys.stdout)
        code = code or EXIT_BROKEN_PIPE
    sys.exit(code)


if __name__ == "__main__":
    main()
