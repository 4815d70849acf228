"""Process entry point: ``python -m release_publisher`` and the ``release-publisher``
console script."""

from __future__ import annotations

import sys

from .cli import main as cli_main


def main() -> None:
    """Run the CLI and exit with its code."""
    sys.exit(cli_main())


if __name__ == "__main__":
    main()
