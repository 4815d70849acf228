"""Process entry point: ``python -m release_publisher`` and the ``release-publisher``
console script.

stdout is wrapped in a :class:`~release_publisher.closed_pipe.GuardedStream` for the
whole process: a reader that went away (``release-publisher --help | head -1``) ends
it quietly, no traceback, with
:data:`~release_publisher.closed_pipe.EXIT_BROKEN_PIPE` for what argparse prints
(``--help``, ``--version``); the commands decide their own exit code
(:func:`release_publisher.cli.main`). The stop-signal handlers stay in place until the
process ends, so a signal that arrives after the run's endings is ignored too
(:mod:`release_publisher.stop_signals`).

The process ends with ``os._exit`` once the CLI returned and every stream is flushed:
the CLI has written everything (result file, outputs, logs) by then, and tearing the
interpreter down (freeing every imported module: jsonschema, requests, YAML) costs
0.1-0.25 s of a run's wall time (benchmarks/README.md, release suite).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
from typing import TextIO, cast

from .cli import main as cli_main
from .closed_pipe import EXIT_BROKEN_PIPE, GuardedStream
from .stop_signals import STOP_SIGNALS


def main() -> None:
    """Run the CLI, flush stdout, stderr and the log, and exit with its code."""
    guard = GuardedStream(sys.stdout)
    sys.stdout = cast(TextIO, guard)
    try:
        code = cli_main(restore_signals=False)
    except SystemExit as stop:  # argparse: --help, --version, a usage error
        if stop.code is not None and not isinstance(stop.code, int):
            raise
        code = stop.code or 0
        guard.flush()
        if guard.closed_pipe and code == 0:
            code = EXIT_BROKEN_PIPE
    logging.shutdown()
    guard.flush()
    with contextlib.suppress(OSError, ValueError):  # a closed or broken pipe
        sys.stderr.flush()
    # the endings are done: a signal from here to the exit is ignored too
    for stop_signal in STOP_SIGNALS:
        signal.signal(stop_signal, signal.SIG_IGN)
    os._exit(code)


if __name__ == "__main__":
    main()
