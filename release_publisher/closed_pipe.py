"""A closed stdout ends a run quietly: ``release-publisher check | head -1``.

When the reader of a pipe goes away (``head`` has its line), the next write to stdout
raises ``BrokenPipeError``; unhandled, Python prints a traceback (or logging's
``--- Logging error ---``) and, at exit, ``Exception ignored ... BrokenPipeError``.
:class:`GuardedStream` wraps stdout: the first failed write points the descriptor at
``/dev/null`` (so nothing later, the interpreter's last flush included, fails again)
and every later write is dropped. The run itself goes on: a release is never stopped
half-way because nobody reads its log (CI convention: an output that could not be
written never fails a finished upload). Commands whose only job is their output
(``check``, ``schema``, ``--help``) then exit :data:`EXIT_BROKEN_PIPE`, what a shell
reports for a program killed by SIGPIPE (``yes | head -1``).

Standard library only; knows nothing of the commands.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
from typing import Any, TextIO

#: 128 + SIGPIPE (13): the shell's status of a writer whose reader went away
EXIT_BROKEN_PIPE = 141


def is_closed_pipe(exc: BaseException) -> bool:
    """True when ``exc`` is a write to a pipe (or socket) whose reader has gone."""
    return isinstance(exc, BrokenPipeError) or (
        isinstance(exc, OSError) and exc.errno in (errno.EPIPE, errno.ECONNRESET)
    )


def closed_pipe(stream: object) -> bool:
    """True when ``stream`` is a :class:`GuardedStream` whose reader went away."""
    return bool(getattr(stream, "closed_pipe", False))


def closed_pipe_guarded(stream: object) -> bool:
    """True when ``stream`` is a :class:`GuardedStream` already."""
    return isinstance(stream, GuardedStream)


def silence(stream: Any) -> None:
    """Point ``stream``'s descriptor at ``/dev/null`` (when it has one), so that
    flushing what it still buffers, now or at exit, cannot fail again. Never raises."""
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation, AttributeError):
        fd = stream.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, fd)
        finally:
            os.close(devnull)


class GuardedStream(io.TextIOBase):
    """A text stream that writes to ``stream`` until its reader goes away, then drops
    every write (``closed_pipe`` tells whether that happened). Other attributes
    (``isatty``, ``encoding``, ``fileno``) are ``stream``'s."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream
        self.closed_pipe = False

    def _closed(self) -> None:
        self.closed_pipe = True
        silence(self.stream)

    def write(self, text: str) -> int:
        """Write ``text``; returns its length even when it was dropped."""
        if not self.closed_pipe:
            try:
                self.stream.write(text)
            except OSError as exc:
                if not is_closed_pipe(exc):
                    raise
                self._closed()
        return len(text)

    def flush(self) -> None:
        """Flush ``stream``; a reader that went away is noted, not raised."""
        if self.closed_pipe:
            return
        try:
            self.stream.flush()
        except OSError as exc:
            if not is_closed_pipe(exc):
                raise
            self._closed()

    def writable(self) -> bool:
        """Always True: writes never fail (they are dropped once the pipe closed)."""
        return True

    def isatty(self) -> bool:
        """Whether ``stream`` is a terminal."""
        return bool(getattr(self.stream, "isatty", lambda: False)())

    def fileno(self) -> int:
        """``stream``'s descriptor. Raises OSError/UnsupportedOperation without one."""
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """``stream``'s encoding (utf-8 when it has none)."""
        return getattr(self.stream, "encoding", None) or "utf-8"
