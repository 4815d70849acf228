"""The terminal side of a run: logging set-up (every line redacted) and upload
progress (a bar on a TTY, log lines otherwise). The texts of plans and results are in
:mod:`release_publisher.release.render`."""

from __future__ import annotations

import logging
import sys
import time
from typing import TYPE_CHECKING, TextIO

from .limits import human_size
from .logcontext import LOG_SUBJECT
from .secrets import REDACTOR, Redactor, install_redaction

if TYPE_CHECKING:  # a type only: `check` does not import the upload code
    from .marketplace.upload import ProgressCallback

log = logging.getLogger("release_publisher")


class RedactingFormatter(logging.Formatter):
    """Formats a record (tracebacks included) and redacts every registered secret from
    the final text. Warnings and errors get a ``warning:`` / ``error:`` prefix; a line
    logged by a concurrent task starts with ``[its subject]`` (the artifact or listing
    image it is about: :data:`~release_publisher.logcontext.LOG_SUBJECT`)."""

    def __init__(self, redactor: Redactor = REDACTOR, *, timestamps: bool = False) -> None:
        super().__init__("%(message)s")
        self.redactor = redactor
        self.timestamps = timestamps

    def format(self, record: logging.LogRecord) -> str:
        """The redacted, prefixed text of ``record``."""
        text = super().format(record)
        subject = LOG_SUBJECT.get()
        if subject:
            text = f"[{subject}] {text}"
        if record.levelno >= logging.ERROR:
            text = "error: " + text
        elif record.levelno >= logging.WARNING:
            text = "warning: " + text
        elif record.levelno <= logging.DEBUG:
            text = "debug: " + text
        if self.timestamps:
            text = time.strftime("%H:%M:%S ", time.localtime(record.created)) + text
        return self.redactor.redact(text)


def setup_logging(*, verbose: bool, stream: TextIO | None = None) -> None:
    """Send the ``release_publisher`` logger to ``stream`` (stdout by default): INFO and
    up, DEBUG too when ``verbose``. The same handler takes the root logger's records
    (warnings of libraries such as ``urllib3.connectionpool``; their debug lines too
    with ``verbose``), so every line any logger writes goes through the handler's
    redaction and one-line escaping (:func:`~release_publisher.secrets.install_redaction`),
    not only the records of our own logger. Idempotent."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stdout)
    handler.setFormatter(RedactingFormatter(timestamps=verbose))
    install_redaction(handler)
    logger = logging.getLogger("release_publisher")
    root = logging.getLogger()
    for owner in (logger, root):
        for old in list(owner.handlers):
            if getattr(old, "release_publisher", False):
                owner.removeHandler(old)
    handler.release_publisher = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.propagate = False
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)


class ProgressReporter:
    """Makes upload progress callbacks: a bar redrawn in place when ``stream`` is a TTY;
    otherwise a log line at each 10% step, only once the upload has taken longer than
    ``quiet_seconds`` (short uploads stay quiet)."""

    def __init__(self, stream: TextIO | None = None, *, quiet_seconds: float = 3.0) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.quiet_seconds = quiet_seconds

    def __call__(self, label: str, total: int) -> ProgressCallback:
        """A ``progress(sent_bytes, total_bytes)`` callback for one upload of ``label``."""
        start = time.monotonic()
        state = {"step": 0, "drawn": False}

        def progress(sent: int, total_bytes: int) -> None:
            total_bytes = total_bytes or total or 1
            fraction = min(1.0, sent / total_bytes)
            elapsed = time.monotonic() - start
            if self.tty:
                if elapsed < 0.5 and fraction < 1.0:
                    return
                width = 30
                filled = int(width * fraction)
                rate = sent / elapsed / 1e6 if elapsed > 0 else 0.0
                self.stream.write(
                    f"\r  {label[:40]:<40} [{'#' * filled}{'.' * (width - filled)}] "
                    f"{fraction * 100:5.1f}% {rate:6.1f} MB/s"
                )
                if fraction >= 1.0:
                    self.stream.write("\n")
                self.stream.flush()
                state["drawn"] = True
                return
            step = int(fraction * 10)
            if step > state["step"] and elapsed >= self.quiet_seconds and step < 10:
                state["step"] = step
                log.info(
                    "  %s: %d%% (%s of %s, %.0f s)",
                    label,
                    step * 10,
                    human_size(sent),
                    human_size(total_bytes),
                    elapsed,
                )

        return progress
