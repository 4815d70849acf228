"""Reading a small input file the user names (the release config, a resume file) safely:
only a regular file, never more than a size cap, never blocking.

A FIFO named as ``--config`` would block ``open()`` forever, and ``/dev/zero`` would be
read until memory runs out. :func:`read_regular_file` opens with ``O_NONBLOCK`` (so
opening a FIFO returns at once), checks with ``fstat`` on the opened descriptor (no
race between a check and the open) that it is a regular file no larger than the cap,
then reads at most cap + 1 bytes.

Dependency-free: the standard library only. Knows nothing of configs or results;
callers turn :class:`RegularFileError` into their own error (with their location).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["RegularFileError", "read_regular_file"]


class RegularFileError(Exception):
    """``path`` cannot be read as a regular file within the cap. ``reason`` is one of
    ``"missing"``, ``"directory"``, ``"not-regular"``, ``"too-large"``, ``"unreadable"``;
    ``problem`` says it in words (``"is a FIFO (named pipe), not a regular file"``),
    to follow the file's name in a message."""

    def __init__(self, reason: str, problem: str) -> None:
        super().__init__(problem)
        self.reason = reason
        self.problem = problem


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of the regular file at ``path`` (symbolic links followed), at most
    ``max_bytes`` bytes.

    Never blocks on a FIFO and never reads more than ``max_bytes + 1`` bytes (a file
    that grows while being read is refused too). Raises :class:`RegularFileError` for a
    missing path (``"missing"``), a directory (``"directory"``), a FIFO, device or
    socket (``"not-regular"``), a file over ``max_bytes`` (``"too-large"``) and any
    other OS error (``"unreadable"``, with its text).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise RegularFileError("missing", "does not exist") from None
    except IsADirectoryError:
        raise RegularFileError("directory", "is a directory, not a file") from None
    except OSError as exc:
        raise RegularFileError("unreadable", f"cannot be read: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise RegularFileError("directory", "is a directory, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise RegularFileError("not-regular", f"is {_kind(st.st_mode)}, not a regular file")
        if st.st_size > max_bytes:
            raise RegularFileError(
                "too-large", f"is {st.st_size} bytes, larger than {max_bytes} bytes"
            )
        chunks: list[bytes] = []
        total = 0
        while total <= max_bytes:
            chunk = os.read(fd, max_bytes + 1 - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise RegularFileError("unreadable", f"cannot be read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if total > max_bytes:
        raise RegularFileError("too-large", f"is larger than {max_bytes} bytes")
    return b"".join(chunks)
