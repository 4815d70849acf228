"""FileChecksums: each local file hashed once per identity, prefetched on a background
thread; a file rebuilt after the prefetch is hashed again, never given the old digest."""

from __future__ import annotations

import hashlib
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from release_publisher import checksums as checksums_module
from release_publisher.checksums import FileChecksums, identity_of


def _sha(data: bytes) -> str:
    return hashlib.sha512(data).hexdigest()


def _rewrite_same_size(path: Path, data: bytes) -> None:
    """Other bytes, same size; the modification time moves on (as a rebuild's does)."""
    st = path.stat()
    path.write_bytes(data)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_a_prefetched_file_gives_its_digest_and_is_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "app.jar"
    data = os.urandom(3 * 1024 * 1024 + 17)
    path.write_bytes(data)
    reads: list[int] = []
    real = checksums_module._hash_fd

    def counting(fd: int, block_size: int) -> str:
        reads.append(fd)
        return real(fd, block_size)

    monkeypatch.setattr(checksums_module, "_hash_fd", counting)
    sums = FileChecksums(block_size=64 * 1024)
    sums.prefetch([path, path])  # the same file twice: hashed once
    assert sums.sha512(path) == _sha(data)
    assert sums.sha512(tmp_path / "." / "app.jar") == _sha(data)  # same file, other spelling
    assert len(reads) == 1
    future = sums.pending(path, identity_of(path))
    assert future is not None and future.result() == _sha(data)


def test_a_file_rebuilt_after_the_prefetch_is_hashed_again(tmp_path: Path) -> None:
    path = tmp_path / "app.jar"
    path.write_bytes(b"A" * 4096)
    sums = FileChecksums()
    sums.prefetch([path])
    assert sums.sha512(path) == _sha(b"A" * 4096)
    _rewrite_same_size(path, b"B" * 4096)
    assert sums.pending(path, identity_of(path)) is None  # the old digest is not handed out
    assert sums.sha512(path) == _sha(b"B" * 4096)


def test_a_file_changed_while_it_is_prefetched_is_not_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "app.jar"
    path.write_bytes(b"A" * 4096)
    started, release = threading.Event(), threading.Event()
    real = checksums_module._hash_fd

    def slow(fd: int, block_size: int) -> str:
        started.set()
        release.wait(5)
        return real(fd, block_size)

    monkeypatch.setattr(checksums_module, "_hash_fd", slow)
    sums = FileChecksums()
    sums.prefetch([path])
    assert started.wait(5)
    with path.open("r+b") as handle:  # rewritten in place while the prefetch reads it
        handle.write(b"B")
    release.set()
    monkeypatch.setattr(checksums_module, "_hash_fd", real)
    assert sums.sha512(path) == _sha(b"B" + b"A" * 4095)


def test_a_fifo_or_a_missing_path_is_skipped_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jar"
    os.mkfifo(fifo)
    sums = FileChecksums()
    begun = time.monotonic()
    sums.prefetch([fifo, tmp_path / "missing.jar", tmp_path])
    assert time.monotonic() - begun < 5  # returned: nothing waits for a writer
    with pytest.raises(OSError):
        sums.sha512(fifo)
    with pytest.raises(OSError):
        sums.sha512(tmp_path / "missing.jar")


def test_a_recorded_digest_is_handed_out_for_that_identity_only(tmp_path: Path) -> None:
    path = tmp_path / "icon.png"
    path.write_bytes(b"png")
    sums = FileChecksums()
    identity = identity_of(path)
    sums.record(path, identity, "ab" * 64)
    assert sums.sha512(path) == "ab" * 64
    _rewrite_same_size(path, b"PNG")
    assert sums.sha512(path) == _sha(b"PNG")


def test_a_large_file_is_hashed_by_a_helper_process_and_a_failed_one_falls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large files are hashed in a helper process (no GIL shared with start-up); when
    the process cannot answer, the thread hashes the file itself: same digest."""
    path = tmp_path / "big.jar"
    data = os.urandom(1024 * 1024 + 3)
    path.write_bytes(data)
    monkeypatch.setattr(checksums_module, "PROCESS_MIN_BYTES", 1024)
    calls: list[int] = []
    real = checksums_module._hash_fd_in_a_process

    def spy(fd: int) -> str | None:
        digest = real(fd)
        calls.append(fd)
        return digest

    monkeypatch.setattr(checksums_module, "_hash_fd_in_a_process", spy)
    sums = FileChecksums()
    sums.prefetch([path])
    assert sums.sha512(path) == _sha(data)
    assert len(calls) == 1
    monkeypatch.setattr(sys, "executable", "")  # no process possible
    other = tmp_path / "other.jar"
    other.write_bytes(data[::-1])
    sums.prefetch([other])
    assert sums.sha512(other) == _sha(data[::-1])


def test_the_helper_process_gives_up_when_its_parent_is_gone(tmp_path: Path) -> None:
    """A run that ends before the hash (a config error, a failure) must not leave a
    process hashing a large file: the helper checks its parent after every block."""
    import subprocess

    path = tmp_path / "big.jar"
    path.write_bytes(os.urandom(3 * 1024 * 1024))
    fd = os.open(path, os.O_RDONLY)
    try:
        argv = [sys.executable, "-I", "-S", "-c", checksums_module._CHILD, str(fd)]
        mine = subprocess.run(
            [*argv, str(os.getpid())], pass_fds=(fd,), capture_output=True, check=False
        )
        assert mine.returncode == 0 and mine.stdout.decode() == _sha(path.read_bytes())
        orphan = subprocess.run(  # its parent is not the pid it was given: it stops
            [*argv, str(os.getpid() + 999_999)], pass_fds=(fd,), capture_output=True, check=False
        )
        assert orphan.returncode == 1 and orphan.stdout == b""
    finally:
        os.close(fd)


def test_a_file_over_max_bytes_is_not_prefetched(tmp_path: Path) -> None:
    path = tmp_path / "huge.jar"
    path.write_bytes(b"x" * 2048)
    sums = FileChecksums()
    sums.prefetch([path], max_bytes=1024)  # pre-flight refuses it: never read for a hash
    assert sums.pending(path, identity_of(path)) is None
