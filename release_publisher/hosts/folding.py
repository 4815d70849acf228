"""Log folding that leaves no empty fold: the stream a host shares with the log holds a
group's opening line (``::group::title``, a GitLab ``section_start``, a nested
``== title`` heading) until the first text written inside the group, and a group that
ends before anything was written inside leaves neither its opening nor its closing
line. ``--quiet`` drops the info lines a phase logs, so without this a quiet run on
GitHub showed pairs of ``::group::``/``::endgroup::`` around nothing.

Knows no host: :class:`~.base.Host` wraps its stream in :class:`FoldingStream` and
folds with :func:`fold`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any, TextIO


class FoldingStream:
    """A text stream (the host's stdout) that writes :attr:`pending` (the opening
    lines of the groups entered since the last write, or None) before the next
    non-empty text. Every other attribute is the wrapped stream's. Thread-safe: log
    records of concurrent tasks and the host's own lines go through one lock."""

    def __init__(self, inner: TextIO) -> None:
        self.inner = inner
        self.pending: str | None = None
        self.lock = threading.RLock()

    def write(self, text: str) -> int:
        """Write ``text``, after the pending opening lines when ``text`` is not empty.
        Returns the length of ``text``."""
        with self.lock:
            if text and self.pending is not None:
                opening, self.pending = self.pending, None
                self.inner.write(opening)
            return self.inner.write(text)

    def flush(self) -> None:
        """Flush the wrapped stream (the pending lines stay pending)."""
        self.inner.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@contextlib.contextmanager
def fold(stream: FoldingStream, opening: str, closing: Callable[[], str] | None) -> Iterator[None]:
    """Fold what is written to ``stream`` inside the block: ``opening`` (one line, no
    newline) is written before the first text inside, the line ``closing()`` returns
    (nothing when None) after the block, both only when something was written inside."""
    with stream.lock:
        before = stream.pending
        stream.pending = (before or "") + opening + "\n"
    try:
        yield
    finally:
        with stream.lock:
            if stream.pending is not None and stream.pending.endswith(opening + "\n"):
                # nothing was written inside: the opening line is dropped unwritten
                stream.pending = before
            elif closing is not None:
                try:
                    stream.write(closing() + "\n")
                    stream.flush()
                except (OSError, ValueError):  # a closed or broken stdout: not the run's fault
                    pass
