"""The CI host adapter interface and the helpers adapters share. Adapters know their
host (files, log commands), and nothing of HTTP; they are fed a
:class:`~release_publisher.result.ReleaseResult`. This module knows no concrete host:
:func:`release_publisher.hosts.select_host` picks one.

The pipeline and CLI use a host like this::

    host = select_host(os.environ, stream=sys.stdout)
    host.mask(credentials.secret_forms())       # first, before anything is printed
    with host.group("Upload artifact server"):  # folds long phases
        ...
    host.report_error(err)                      # on failure: annotation
    host.publish(result, result_file=path)      # step outputs, summary, dotenv; never raises

Every text an adapter writes (log commands, output files) is passed through
:meth:`Host.redact` first, so no registered secret can reach a host file.
"""

from __future__ import annotations

import abc
import contextlib
import os
import stat
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO, cast

from ..errors import Location, ReleasePublisherError
from ..result import ReleaseResult
from ..secrets import REDACTOR
from .folding import FoldingStream


class Host(abc.ABC):
    """A CI host adapter. Subclasses implement :meth:`group` and :meth:`publish` and
    override what else their host supports; the defaults here are what a host without
    the feature does (no debug flag, no masking command, no annotations).

    ``env`` is the process environment; ``stream`` where log commands go (stdout),
    wrapped in a :class:`~.folding.FoldingStream` (the log writes to :attr:`stream`
    too, so a fold's opening line waits for the first line inside it).
    """

    #: Short name of the host (``local``, ``github``, ``gitlab``).
    name: str

    def __init__(self, env: Mapping[str, str], *, stream: TextIO | None = None) -> None:
        self.env = env
        raw = stream if stream is not None else sys.stdout
        self.folding = raw if isinstance(raw, FoldingStream) else FoldingStream(raw)
        # a FoldingStream writes and flushes like the TextIO it wraps
        self.stream: TextIO = cast("TextIO", self.folding)

    @property
    def debug(self) -> bool:
        """True when the host asks for verbose logs (e.g. ``RUNNER_DEBUG=1``)."""
        return False

    def mask(self, secrets: Sequence[str]) -> None:
        """Ask the host to hide ``secrets`` (each line of each) in its logs. Here (and
        on every host) they are also registered with the process-wide
        :data:`~release_publisher.secrets.REDACTOR`, so that the redacting log filter
        and every file an adapter writes leave them out."""
        REDACTOR.add(*secrets)

    def redact(self, text: str) -> str:
        """``text`` with every registered secret replaced by ``***``."""
        return REDACTOR.redact(text)

    @abc.abstractmethod
    def group(self, title: str) -> contextlib.AbstractContextManager[None]:
        """Fold the log lines of a phase under ``title`` (a context manager)."""

    def report_error(self, error: ReleasePublisherError) -> None:  # noqa: B027 optional hook
        """Show a failure the way the host highlights errors (annotation). No-op here:
        the CLI prints the one-line error itself."""

    def report_warning(  # noqa: B027 optional hook
        self, message: str, location: Location | None = None
    ) -> None:
        """Show a warning the way the host highlights warnings. No-op here."""

    @abc.abstractmethod
    def publish(
        self, result: ReleaseResult, *, result_file: Path | None, trace_file: Path | None = None
    ) -> list[str]:
        """Write step outputs, job summary or dotenv report for ``result``. Never raises:
        returns the warnings for outputs that could not be written (the caller logs
        them). ``trace_file``: the wire trace (``--trace``) when one was written."""

    # -- helpers for subclasses ------------------------------------------------------

    def _write(self, line: str) -> None:
        """Write one redacted line (a newline is added) to ``stream`` and flush, so the
        line is ordered with the log records that go to the same stream."""
        try:
            self.stream.write(self.redact(line) + "\n")
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken stdout must not fail the run
            pass

    def _env_path(self, name: str, what: str, warnings: list[str]) -> Path | None:
        """The path in env ``name``, or None (with a warning naming ``what`` could not
        be written) when the variable is unset or empty."""
        value = self.env.get(name, "").strip()
        if not value:
            warnings.append(f"{name} is not set: the {what} was not written")
            return None
        return Path(value)


def append_text(path: Path, text: str) -> str | None:
    """Append ``text`` (UTF-8, ``\\n`` line ends) to the existing or new file ``path``.

    The parent directory is never created, and only a regular file is written: a FIFO
    or a device named by ``GITHUB_OUTPUT`` would block the run after it published (the
    file is opened without blocking and checked before anything is written). Returns
    None on success, else a short reason (``"No such file or directory"``,
    ``"Permission denied"``, ``"not a regular file"``, ...); never raises.
    """
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return "not a regular file"
        os.set_blocking(fd, True)
        with os.fdopen(fd, "a", encoding="utf-8", newline="\n", closefd=False) as fh:
            fh.write(text)
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    finally:
        os.close(fd)
    return None
