"""The plain terminal (or an unknown CI): no masking command, no output files, no
annotations; a phase is a heading line in the log."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

from ..result import ReleaseResult
from .base import Host

log = logging.getLogger("release_publisher")


class LocalHost(Host):
    """A plain terminal or an unknown CI. Secrets are still registered for redaction
    (:meth:`Host.mask`); errors and warnings are left to the CLI's own lines.

    ``env`` is the process environment; ``stream`` where log commands would go (stdout).
    """

    name = "local"

    @contextlib.contextmanager
    def group(self, title: str) -> Iterator[None]:
        """A heading line ``== title`` in the log (through the ``release_publisher``
        logger, so it is redacted and ordered with the other records)."""
        log.info("== %s", title)
        yield

    def publish(
        self, result: ReleaseResult, *, result_file: Path | None, trace_file: Path | None = None
    ) -> list[str]:
        """Nothing to write on a terminal: the result JSON is the CLI's. Returns no
        warnings."""
        return []
