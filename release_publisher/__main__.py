"""Process entry point: ``python -m release_publisher`` and the ``release-publisher``
console script.

The process ends with ``os._exit`` once the CLI returned and every stream is flushed:
the CLI has written everything (result file, outputs, logs) by then, and tearing the
interpreter down (freeing every imported module: jsonschema, requests, YAML) costs
0.1-0.25 s of a run's wall time (benchmarks/README.md, release suite).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys

from .cli import main as cli_main


def main() -> None:
    """Run the CLI, flush stdout, stderr and the log, and exit with its code."""
    code = cli_main()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed or broken pipe
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
