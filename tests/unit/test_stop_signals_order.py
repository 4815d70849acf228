"""The first stop signal to ARRIVE names the stop, even when Python runs the handler of
another one first (it handles signals that are pending together in number order:
SIGINT before SIGTERM)."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from release_publisher.stop_signals import StopSignals, Terminated

BOTH = {signal.SIGINT, signal.SIGTERM}


def _send(*signums: int) -> threading.Thread:
    """A thread that takes the signals itself (the main thread blocks them), so that
    they are all pending when the main thread next runs Python code."""

    def run() -> None:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, BOTH)
        for signum in signums:  # to this very thread: delivered before the call returns
            signal.pthread_kill(threading.get_ident(), signum)

    return threading.Thread(target=run)


def test_sigterm_then_sigint_stops_as_sigterm_and_notes_sigint() -> None:
    with StopSignals() as stops:
        signal.pthread_sigmask(signal.SIG_BLOCK, BOTH)
        try:
            # (not SIGTERM twice: a standard signal still pending is not queued again)
            sender = _send(signal.SIGTERM, signal.SIGINT)
            # both kinds caught, so that a failure is a failed assertion, not a stopped run
            with pytest.raises((Terminated, KeyboardInterrupt)) as stop:
                sender.start()
                sender.join()  # all three are pending when it returns: SIGINT's runs first
                for _ in range(1000):
                    pass
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, BOTH)
        for _ in range(1000):
            pass
    assert isinstance(stop.value, Terminated) and stop.value.signal_name == "SIGTERM"
    assert stops.late == ["SIGINT"]


def test_a_lone_sigint_is_a_keyboard_interrupt_and_handlers_come_back() -> None:
    before = signal.getsignal(signal.SIGINT)
    with StopSignals() as stops, pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):
            pass
    assert stops.late == []
    assert signal.getsignal(signal.SIGINT) is before
    assert signal.set_wakeup_fd(-1) == -1  # the wakeup pipe was given back
