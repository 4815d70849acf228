"""The streamed multipart body: exact bytes on the wire, Content-Length, SHA-512 of the
same pass, throttled progress, and a file that changes while it is sent."""

from __future__ import annotations

import hashlib
import itertools
import os
from pathlib import Path

import pytest

from release_publisher import checksums as checksums_module
from release_publisher.checksums import FileChecksums, identity_of
from release_publisher.errors import FileCheckError
from release_publisher.marketplace import upload as upload_module
from release_publisher.marketplace.upload import (
    BytesBody,
    MultipartFileBody,
    artifact_content_type,
    image_content_type,
)


def _file(tmp_path: Path, size: int, name: str = "hello-1.4.2.jar") -> Path:
    path = tmp_path / name
    path.write_bytes(os.urandom(size))
    return path


def test_body_is_preamble_file_epilogue_and_len_matches(tmp_path: Path) -> None:
    path = _file(tmp_path, 300_000)
    body = MultipartFileBody(
        path, part_type="application/java-archive", block_size=64 * 1024, boundary="BOUND"
    )
    chunks = list(body)
    data = b"".join(chunks)
    assert len(data) == len(body)
    head = (
        b"--BOUND\r\n"
        b'Content-Disposition: form-data; name="file"; filename="hello-1.4.2.jar"\r\n'
        b"Content-Type: application/java-archive\r\n\r\n"
    )
    assert data == head + path.read_bytes() + b"\r\n--BOUND--\r\n"
    assert body.content_type == "multipart/form-data; boundary=BOUND"
    # file blocks are at most block_size: the file is never read whole
    assert max(len(c) for c in chunks) == 64 * 1024
    assert body.finished
    assert body.sha512() == hashlib.sha512(path.read_bytes()).hexdigest()


def test_empty_file_streams_and_hashes(tmp_path: Path) -> None:
    path = _file(tmp_path, 0, "empty.json")
    body = MultipartFileBody(path, part_type="application/json")
    assert len(b"".join(body)) == len(body)
    assert body.sha512() == hashlib.sha512(b"").hexdigest()


def test_body_is_single_use(tmp_path: Path) -> None:
    body = MultipartFileBody(_file(tmp_path, 10), part_type="x/y")
    list(body)
    with pytest.raises(RuntimeError):
        iter(body)


def test_unfinished_body_still_reports_whole_file_hash(tmp_path: Path) -> None:
    path = _file(tmp_path, 200_000)
    body = MultipartFileBody(path, part_type="x/y", block_size=16 * 1024)
    iterator = iter(body)
    next(iterator)
    next(iterator)
    assert not body.finished and body.started
    assert body.sha512() == hashlib.sha512(path.read_bytes()).hexdigest()


def test_file_shrinking_during_send_is_a_file_error(tmp_path: Path) -> None:
    path = _file(tmp_path, 100_000)
    body = MultipartFileBody(path, part_type="x/y", block_size=16 * 1024)
    iterator = iter(body)
    next(iterator)
    next(iterator)
    path.write_bytes(b"short")
    with pytest.raises(FileCheckError, match="shrank"):
        list(iterator)


def test_file_growing_during_send_is_a_file_error(tmp_path: Path) -> None:
    path = _file(tmp_path, 20_000)
    body = MultipartFileBody(path, part_type="x/y", block_size=16 * 1024)
    iterator = iter(body)
    next(iterator)
    with path.open("ab") as handle:
        handle.write(b"more")
    with pytest.raises(FileCheckError, match="grew"):
        list(iterator)


def test_missing_file_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(FileCheckError, match="cannot read"):
        MultipartFileBody(tmp_path / "nope.jar", part_type="x/y")


def test_progress_is_throttled_and_ends_at_total(tmp_path: Path) -> None:
    path = _file(tmp_path, 100 * 1024)
    now = [0.0]

    def tick() -> float:
        now[0] += 0.05  # every block "takes" 50 ms
        return now[0]

    calls: list[tuple[int, int]] = []
    body = MultipartFileBody(
        path,
        part_type="x/y",
        block_size=1024,
        progress=lambda sent, total: calls.append((sent, total)),
        monotonic=tick,
    )
    list(body)
    assert calls[-1] == (100 * 1024, 100 * 1024)
    # 100 blocks over ~5 s of clock time: about 4 reports a second, never one per block
    assert 10 <= len(calls) <= 25
    assert all(b[0] > a[0] for a, b in itertools.pairwise(calls))


def test_filename_quotes_and_line_breaks_are_escaped(tmp_path: Path) -> None:
    path = _file(tmp_path, 1, "a.jar")
    body = MultipartFileBody(path, part_type="x/y", filename='ev"il\r\nX-Injected: 1.jar')
    head = b"".join(body).split(b"\r\n\r\n", 1)[0]
    assert b'filename="ev%22il%0D%0AX-Injected: 1.jar"' in head
    assert b"\r\nX-Injected" not in head


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.jar", "application/java-archive"),
        ("a.JAR", "application/java-archive"),
        ("a.obr", "application/octet-stream"),
        ("a.jwb", "application/octet-stream"),
        ("atlassian-connect.json", "application/json"),
    ],
)
def test_artifact_content_types(name: str, expected: str) -> None:
    assert artifact_content_type(Path(name)) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("i.png", "image/png"),
        ("i.jpg", "image/jpeg"),
        ("i.jpeg", "image/jpeg"),
        ("i.gif", "image/gif"),
        ("i.bmp", "image/bmp"),
    ],
)
def test_image_content_types(name: str, expected: str) -> None:
    assert image_content_type(Path(name)) == expected


def test_bytes_body_reports_completion() -> None:
    body = BytesBody(b'{"uri": "x"}', "application/json")
    assert len(body) == 12 and not body.started
    assert b"".join(body) == b'{"uri": "x"}'
    assert body.finished


def test_a_prefetched_file_is_streamed_without_hashing_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _file(tmp_path, 300_000)
    sums = FileChecksums()
    sums.prefetch([path])
    assert sums.sha512(path) == hashlib.sha512(path.read_bytes()).hexdigest()

    def no_hasher(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the body hashed a file whose digest was known")

    monkeypatch.setattr(upload_module, "_Hasher", no_hasher)
    monkeypatch.setattr(checksums_module, "_hash_fd", no_hasher)
    body = MultipartFileBody(path, part_type="x/y", block_size=64 * 1024, checksums=sums)
    data = b"".join(body)
    assert path.read_bytes() in data
    assert body.finished
    assert body.sha512() == hashlib.sha512(path.read_bytes()).hexdigest()


def test_a_prefetched_file_rewritten_during_the_send_is_a_file_error(tmp_path: Path) -> None:
    path = _file(tmp_path, 300_000)
    sums = FileChecksums()
    sums.prefetch([path])
    sums.sha512(path)
    body = MultipartFileBody(path, part_type="x/y", block_size=64 * 1024, checksums=sums)
    stream = iter(body)
    next(stream)  # preamble
    next(stream)  # first block
    with path.open("r+b") as handle:  # same size, other bytes: only the identity tells
        handle.seek(200_000)
        handle.write(b"X" * 10)
    with pytest.raises(FileCheckError, match="modified while it was being uploaded"):
        list(stream)


def test_a_digest_the_body_computes_is_kept_for_later_readers(tmp_path: Path) -> None:
    path = _file(tmp_path, 100_000)
    sums = FileChecksums()
    body = MultipartFileBody(path, part_type="x/y", checksums=sums)
    list(body)
    digest = body.sha512()
    future = sums.pending(path, identity_of(path))
    assert future is not None and future.result() == digest


def test_a_prefetch_that_failed_after_an_unhashed_send_is_a_file_error(tmp_path: Path) -> None:
    """The body streamed without hashing because a prefetch was running; the prefetch
    then saw the file change: the bytes sent are unknown, so no digest of the file as
    it is now may stand for them."""
    from concurrent.futures import Future

    path = _file(tmp_path, 100_000)
    sums = FileChecksums()
    failed: Future[str] = Future()
    sums._entries[os.path.realpath(path)] = (identity_of(path), failed)
    body = MultipartFileBody(path, part_type="x/y", checksums=sums)
    list(body)
    failed.set_exception(OSError("changed while it was hashed"))
    with pytest.raises(FileCheckError, match="modified while it was being uploaded"):
        body.sha512()
