"""SHA-512 of the local files of one run: each file hashed once, as early as its path is
known, on a background thread.

A 240 MB artifact takes about 0.36 s to hash on one core, about as long as the rest of
start-up (interpreter, imports, schema validation, pre-flight). A file handed to
:meth:`FileChecksums.prefetch` is hashed on the second core while the main thread goes on
starting up; by the time the upload has streamed the file, its digest is (nearly) ready.

A prefetched file of at least :data:`PROCESS_MIN_BYTES` is hashed by a helper process
(``python -I -S``, reading the very descriptor this process opened and checked, passed
with ``pass_fds``), not by a thread: ``hashlib`` releases the GIL while it hashes, but a
thread must take the GIL back after every block, and while the main thread runs Python
code (imports, validation) it gets it only every switch interval (5 ms), which made a
prefetch thread hash 240 MB in 0.7 s instead of 0.4 s (measured, benchmarks/README.md).
Where a process cannot be started, the thread does it.

A digest is tied to the file's identity (device, inode, size, modification and change
times in ns, from ``fstat`` of the descriptor it was read through): it is handed out only
while the file still has that identity, and only when the identity did not change while it
was being read. Anything else (a file rebuilt after the prefetch) is hashed again. The
final check of what was sent is Marketplace's own checksum, compared by the release flow.

Only regular files are read (opened with ``O_NONBLOCK``, ``fstat`` before reading: a FIFO
or a device is skipped, never blocked on); memory stays at one block (1 MiB) per thread.

Standard library only. Knows no config, no HTTP, no CI.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

#: Bytes read and hashed per block.
BLOCK_SIZE = 1024 * 1024
#: Prefetched files at least this large (bytes) are hashed by a helper process.
PROCESS_MIN_BYTES = 16 * 1024 * 1024
#: The helper process: SHA-512 of the descriptor argv[1] from its start, hex on stdout;
#: it gives up as soon as its parent (pid argv[2]) is gone (the run ended first).
_CHILD = (
    "import hashlib,os,sys\n"
    "fd=int(sys.argv[1]);p=int(sys.argv[2]);h=hashlib.sha512();b=bytearray(1<<20)\n"
    "v=memoryview(b);o=0\n"
    "while n:=os.preadv(fd,[b],o):\n"
    " h.update(v[:n]);o+=n\n"
    " if os.getppid()!=p:sys.exit(1)\n"
    "sys.stdout.write(h.hexdigest())\n"
)


@dataclass(frozen=True)
class FileIdentity:
    """What makes two reads of a path the same file with the same bytes: device, inode,
    size (bytes), modification and change times (ns)."""

    device: int
    inode: int
    size: int
    mtime_ns: int
    ctime_ns: int

    @classmethod
    def of(cls, st: os.stat_result) -> FileIdentity:
        """The identity in a stat result (``os.stat`` or ``os.fstat``)."""
        return cls(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def identity_of(path: Path) -> FileIdentity:
    """The identity of the file at ``path`` now (follows symlinks). Raises OSError."""
    return FileIdentity.of(path.stat())


def _key(path: Path) -> str:
    return os.path.realpath(path)


class FileChecksums:
    """SHA-512 (lower-case hex) of local files, each computed once per identity.

    * :meth:`prefetch` starts hashing files on one daemon thread (in the order given);
      it never raises and never blocks.
    * :meth:`pending` hands out the digest (a future) of a file whose identity is the
      one given, prefetched or being prefetched; None otherwise.
    * :meth:`sha512` is the digest of a file as it is now: a matching prefetch is waited
      for, otherwise the file is hashed in the calling thread (and kept).
    * :meth:`record` keeps a digest computed elsewhere (an upload that hashed the bytes
      it streamed).

    Thread-safe: the release flow's concurrent tasks share one instance.
    """

    def __init__(self, *, block_size: int = BLOCK_SIZE) -> None:
        self._block_size = block_size
        self._lock = threading.Lock()
        #: realpath -> (identity when opened, digest future)
        self._entries: dict[str, tuple[FileIdentity, Future[str]]] = {}
        self._queue: list[tuple[str, int, FileIdentity, Future[str]]] = []
        self._worker: threading.Thread | None = None

    def prefetch(self, paths: Iterable[Path], *, max_bytes: int | None = None) -> None:
        """Start hashing each regular file in ``paths`` in the background (a file already
        known with its current identity is skipped). A path that cannot be opened, is
        not a regular file, or is larger than ``max_bytes`` is skipped silently: whoever
        uses the file reports it."""
        for path in paths:
            try:
                fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_BINARY", 0))
            except OSError:
                continue
            try:
                st = os.fstat(fd)
            except OSError:
                os.close(fd)
                continue
            if not stat.S_ISREG(st.st_mode) or (max_bytes is not None and st.st_size > max_bytes):
                os.close(fd)
                continue
            key, identity = _key(path), FileIdentity.of(st)
            with self._lock:
                known = self._entries.get(key)
                if known is not None and known[0] == identity:
                    os.close(fd)
                    continue
                future: Future[str] = Future()
                self._entries[key] = (identity, future)
                self._queue.append((key, fd, identity, future))
                if self._worker is None:
                    self._worker = threading.Thread(
                        target=self._work, name="sha512-prefetch", daemon=True
                    )
                    self._worker.start()

    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._queue:
                    self._worker = None
                    return
                key, fd, identity, future = self._queue.pop(0)
            try:
                digest = None
                if identity.size >= PROCESS_MIN_BYTES:
                    digest = _hash_fd_in_a_process(fd)
                if digest is None:
                    digest = _hash_fd(fd, self._block_size)
                changed = FileIdentity.of(os.fstat(fd)) != identity
            except OSError as exc:
                future.set_exception(exc)
                self._forget(key, future)
                continue
            finally:
                os.close(fd)
            if changed:
                # rewritten while it was read: the digest may mix old and new bytes
                future.set_exception(OSError(f"{key} changed while it was hashed"))
                self._forget(key, future)
            else:
                future.set_result(digest)

    def _forget(self, key: str, future: Future[str]) -> None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[1] is future:
                del self._entries[key]

    def pending(self, path: Path, identity: FileIdentity) -> Future[str] | None:
        """The digest (done or still being computed) of ``path`` if it was prefetched or
        recorded with exactly ``identity``; None otherwise. The future's result raises
        OSError when the file turned out unreadable or changed while it was hashed."""
        with self._lock:
            entry = self._entries.get(_key(path))
        if entry is None or entry[0] != identity:
            return None
        return entry[1]

    def record(self, path: Path, identity: FileIdentity, digest: str) -> None:
        """Keep ``digest`` (lower-case hex SHA-512) of ``path`` as it was with
        ``identity`` (e.g. computed while it was uploaded)."""
        future: Future[str] = Future()
        future.set_result(digest)
        with self._lock:
            self._entries[_key(path)] = (identity, future)

    def sha512(self, path: Path) -> str:
        """The lower-case hex SHA-512 of the file at ``path`` as it is now. Waits for a
        prefetch of the same file with the same identity; otherwise reads and hashes it
        here (flat memory) and keeps the digest. Raises OSError when the file cannot be
        read (or is not a regular file)."""
        identity = identity_of(path)
        future = self.pending(path, identity)
        if future is not None:
            try:
                return future.result()
            except OSError:
                pass  # changed or unreadable during the prefetch: hash it now
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_BINARY", 0))
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise OSError(f"{path} is not a regular file")
            digest = _hash_fd(fd, self._block_size)
            if FileIdentity.of(os.fstat(fd)) == FileIdentity.of(st):
                self.record(path, FileIdentity.of(st), digest)
            return digest
        finally:
            os.close(fd)


def sha512_file(path: Path, *, block_size: int = BLOCK_SIZE) -> str:
    """The lower-case hex SHA-512 of the file at ``path`` as it is now, read in
    ``block_size``-byte blocks (flat memory), without the cache of
    :class:`FileChecksums`. Raises OSError when it cannot be read."""
    with path.open("rb") as handle:
        return _hash_fd(handle.fileno(), block_size)


def _hash_fd(fd: int, block_size: int) -> str:
    """SHA-512 of what ``fd`` holds from its current position to its end; one reused
    buffer of ``block_size`` bytes (``readinto`` releases the GIL, so does the hash)."""
    digest = hashlib.sha512()
    buffer = bytearray(block_size)
    view = memoryview(buffer)
    with open(fd, "rb", buffering=0, closefd=False) as handle:
        while n := handle.readinto(buffer):
            digest.update(view[:n])
    return digest.hexdigest()


def _hash_fd_in_a_process(fd: int) -> str | None:
    """SHA-512 (hex) of everything ``fd`` holds, computed by a helper Python process
    that reads the same descriptor (no GIL shared with this process); None when no
    process can be started or it did not answer a digest (the caller hashes here)."""
    if not sys.executable:
        return None
    import subprocess  # only here: the one user, on the prefetch thread

    try:
        child = subprocess.run(
            [sys.executable, "-I", "-S", "-c", _CHILD, str(fd), str(os.getpid())],
            pass_fds=(fd,),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            timeout=600,
            check=False,
        )
    except (OSError, ValueError, subprocess.SubprocessError):
        return None
    digest = child.stdout.decode("ascii", "replace").strip()
    if child.returncode != 0 or len(digest) != 128 or digest.strip("0123456789abcdef"):
        return None
    return digest
