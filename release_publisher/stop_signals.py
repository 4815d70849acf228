"""Stop signals of a run: SIGINT, SIGTERM, SIGHUP (the terminal or the CI session
went away) and SIGQUIT (Ctrl-\\, a runner's "quit") end the command once; its endings
then always finish.

:class:`StopSignals` is a context manager around one command. The first stop signal
raises in the main thread (``KeyboardInterrupt`` for SIGINT, :class:`Terminated`
otherwise), so the command unwinds and renders ``Interrupted`` (exit 130, whichever
signal: the convention of this tool, not 128 + the signal number; SIGQUIT too, whose
default action would dump core and leave the result file ``running``). Any later
signal, or any signal once :meth:`StopSignals.ending` was called (error rendering,
the result JSON, the CI outputs), is only noted in :attr:`StopSignals.late`: a second
SIGTERM 2 ms after the first never turns the endings into a traceback, a result left
``running`` or a temp file left behind.

"First" is by delivery. Python runs the handlers of signals that arrived together in
signal-number order (SIGINT before SIGTERM), not in the order they came, so the
delivery order is read from a wakeup pipe (``signal.set_wakeup_fd``: the C-level handler
writes each signal's number there as it is delivered). Signals sent so close together
that the kernel holds them pending at once are delivered lowest number first: within
such a burst the order sent cannot be known.

Standard library only; knows nothing of the commands.
"""

from __future__ import annotations

import contextlib
import os
import signal
from types import FrameType, TracebackType

#: the signals that stop a run (SIGHUP and SIGQUIT where the platform has them)
STOP_SIGNALS: tuple[signal.Signals, ...] = tuple(
    s
    for s in (
        signal.SIGINT,
        signal.SIGTERM,
        getattr(signal, "SIGHUP", None),
        getattr(signal, "SIGQUIT", None),
    )
    if s is not None
)


class Terminated(BaseException):
    """Raised by the first SIGTERM, SIGHUP or SIGQUIT. A BaseException (like
    KeyboardInterrupt), so no ``except Exception`` on the way (logging's, a
    library's) can swallow it. ``signal_name`` is e.g. ``"SIGTERM"``."""

    def __init__(self, signal_name: str) -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name


class StopSignals:
    """Handlers for :data:`STOP_SIGNALS` while the ``with`` block runs. After it the
    previous handlers come back when :attr:`restore` is True (in-process callers,
    tests); the process entry point sets it False, so that a signal arriving after
    the endings, until the process exits, is ignored too. Main thread only
    (``signal.signal``)."""

    def __init__(self) -> None:
        self.restore = True
        self.stopping = False
        self.is_ending = False
        #: names of the signals noted and not raised, in arrival order
        self.late: list[str] = []
        self._saved: dict[signal.Signals, object] = {}
        self._pipe: tuple[int, int] | None = None
        self._saved_wakeup = -1

    def __enter__(self) -> StopSignals:
        self._open_wakeup()
        for sig in STOP_SIGNALS:
            self._saved[sig] = signal.signal(sig, self._handle)
        return self

    def _open_wakeup(self) -> None:
        """The pipe the C-level handler writes each arriving signal's number to."""
        try:
            read_end, write_end = os.pipe()
        except OSError:
            return
        os.set_blocking(read_end, False)
        os.set_blocking(write_end, False)
        try:
            self._saved_wakeup = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
        except (ValueError, OSError):  # not the main thread: handlers' order it is
            os.close(read_end)
            os.close(write_end)
            return
        self._pipe = (read_end, write_end)

    def _arrived(self) -> list[int]:
        """Signal numbers that arrived since the last call, in arrival order."""
        if self._pipe is None:
            return []
        data = b""
        with contextlib.suppress(BlockingIOError, InterruptedError, OSError):
            while chunk := os.read(self._pipe[0], 512):
                data += chunk
        return list(data)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.is_ending = True
        if not self.restore:
            return  # the pipe stays: the handlers stay until the process exits
        for sig, handler in self._saved.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]
        if self._pipe is not None:
            with contextlib.suppress(ValueError, OSError):
                signal.set_wakeup_fd(self._saved_wakeup)
            for fd in self._pipe:
                os.close(fd)
            self._pipe = None

    def ending(self) -> None:
        """From now on every signal is noted, not raised: the endings run."""
        self.is_ending = True

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        stops = {int(s) for s in STOP_SIGNALS}
        # every arrival since the last handler call (several may share one call);
        # without the pipe, this call's own signal
        arrived = [n for n in self._arrived() if n in stops] if self._pipe else [signum]
        names = [signal.Signals(n).name for n in arrived]
        if self.stopping or self.is_ending:
            self.late.extend(names)
            return
        self.stopping = True
        first = arrived[0] if arrived else signum
        self.late.extend(names[1:])
        if first == signal.SIGINT:
            raise KeyboardInterrupt
        raise Terminated(signal.Signals(first).name)
