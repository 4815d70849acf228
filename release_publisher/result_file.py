"""The result JSON file of a ``publish`` run (``--result-json PATH``): written before
the first request, after every step and at the end, atomically, its directory created
as needed.

Over the file the run resumes from (``--resume F --result-json F``, which the README
allows), nothing is written with less than it holds: until the run's result has taken
over that file's content (:attr:`ResultFile.taken_over`, set once the previous run's
IDs are prefilled), a write keeps the file's artifacts, images and release and adds
this run's status and error (:func:`~release_publisher.release.resume.kept_on_failure`);
a resume file that cannot be read is left alone. Writing never fails the run (a
warning), except the first write, which stops it before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import ReleasePublisherError, UsageError
from .release.resume import kept_on_failure, read_result_file
from .result import ReleaseResult, write_json


class ResultFile:
    """The result file at ``path`` (absolute; None: not asked for), with ``resume``
    the ``--resume`` path (absolute or None); ``warn(message)`` reports a write that
    failed (once per run)."""

    def __init__(
        self, path: Path | None, *, resume: Path | None, warn: Callable[[str], None]
    ) -> None:
        self.path = path
        self.resume = resume
        self.warn = warn
        #: True once the run's result holds what the resume file held
        self.taken_over = False
        self._previous: dict[str, Any] | None = None
        self._previous_read = False
        self._warned = False

    def previous(self) -> dict[str, Any]:
        """The resume file's data (:func:`read_result_file`, read once). Raises
        UsageError naming the file and what is wrong with it."""
        assert self.resume is not None
        if self._previous is not None:
            return self._previous
        self._previous_read = True
        self._previous = read_result_file(self.resume)
        return self._previous

    def first_write(self, result: ReleaseResult) -> None:
        """Write ``result`` once before any request, so a path that cannot be written
        stops the run before anything is uploaded. Raises UsageError."""
        if self.path is None:
            return
        try:
            if self.path.is_dir():
                raise IsADirectoryError(21, "is a directory")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._write(result)
        except OSError as exc:
            path, self.path = self.path, None
            raise UsageError(
                f"cannot write the result file {path}: {exc.strerror or exc}",
                hint="give --result-json a file path in a writable directory (or - for stdout); "
                "nothing was sent",
            ) from None

    def write(self, result: ReleaseResult) -> None:
        """Write ``result`` now (see the module docstring); a failure is a warning."""
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._write(result)
        except OSError as exc:
            self._warn(f"could not write the result file {self.path}: {exc}")

    def _write(self, result: ReleaseResult) -> None:
        assert self.path is not None
        if self.taken_over or not self._is_resume_source(self.path):
            result.write(self.path)
            return
        previous = self._kept()
        if previous is None:
            self._warn(
                f"the result was not written to {self.path}: it is the --resume file, "
                "which could not be read, and is kept as it was"
            )
            return
        write_json(self.path, kept_on_failure(previous, result.to_dict()))

    def _kept(self) -> dict[str, Any] | None:
        """The resume file's data, read at most once; None when it cannot be read."""
        if not self._previous_read:
            try:
                self.previous()
            except ReleasePublisherError:
                self._previous = None
        return self._previous

    def _is_resume_source(self, path: Path) -> bool:
        """True when ``path`` is the ``--resume`` file (the same path, or the same
        file through another name)."""
        if self.resume is None:
            return False
        if path == self.resume or path.resolve() == self.resume.resolve():
            return True
        try:
            return path.samefile(self.resume)
        except OSError:
            return False

    def _warn(self, message: str) -> None:
        if not self._warned:
            self._warned = True
            self.warn(message)
