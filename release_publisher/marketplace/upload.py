"""Streamed ``multipart/form-data`` request bodies with SHA-512 computed in the same pass.

:class:`MultipartFileBody` is what the client hands to ``requests`` as ``data=``: an
iterable with ``__len__``. ``requests`` therefore sets ``Content-Length`` (no chunked
encoding) and urllib3 sends every chunk the iterator yields straight to the socket
(``sendall``), so the body goes out as::

    --<boundary>\\r\\n
    Content-Disposition: form-data; name="file"; filename="<name>"\\r\\n
    Content-Type: <type>\\r\\n
    \\r\\n
    <the file, read from disk in blocks of ``block_size`` bytes (1 MiB)>
    \\r\\n--<boundary>--\\r\\n

The file is never read whole: memory stays flat at about ``(queue_blocks + 2) *
block_size`` bytes whatever the file size. Each block read is handed both to the socket
(in the calling thread) and, through a bounded queue, to a hashing thread:
``hashlib`` releases the GIL on large buffers, so SHA-512 runs on a second core while
the first one sends. The digest covers exactly the file bytes that were streamed.

With a :class:`~release_publisher.checksums.FileChecksums` that already hashes the file
(prefetched at start-up, with the identity the file has when the body opens it), the
body does not hash again: it streams the file and checks, by ``fstat`` on its own
descriptor after the last block, that the file kept that identity (else
:class:`FileCheckError`); :meth:`MultipartFileBody.sha512` is then the prefetched digest.
A digest the body computes itself is handed to the ``FileChecksums`` for later readers.

A body is single-use (one request attempt); a retry builds a new one, which re-opens
the file from its start with a fresh hasher.

:func:`encode_json_body` encodes the small JSON bodies (:class:`BytesBody`) of the
version and listing POSTs.

Only the standard library is used here (no ``requests`` import).
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import secrets
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from ..checksums import FileChecksums, FileIdentity, sha512_file
from ..errors import FileCheckError, UsageError
from .errors import truncate

#: Bytes read from disk and sent per block. Measured on loopback (240 MB) from 256 KiB
#: to 4 MiB: differences were within the noise; 1 MiB keeps per-block Python cost
#: negligible (240 blocks) while memory stays small.
DEFAULT_BLOCK_SIZE = 1024 * 1024
#: Blocks that may wait for the hashing thread; the reader blocks when it is full.
#: 6 keeps the upload phase at the SHA-512 floor on loopback (8 was no faster, 3 was
#: slower) and peak RSS of a 240 MB publish at about 43 MiB (8: 45.6 MiB).
DEFAULT_QUEUE_BLOCKS = 6
#: Shortest interval between two progress callbacks (seconds): at most ~4 a second.
PROGRESS_INTERVAL = 0.25

#: progress(sent_bytes, total_bytes): bytes of the file handed to the socket so far,
#: and the file size in bytes.
ProgressCallback = Callable[[int, int], None]

_ARTIFACT_TYPES = {
    ".jar": "application/java-archive",
    ".json": "application/json",
    ".obr": "application/octet-stream",
    ".jwb": "application/octet-stream",
}
_IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".bmp": "image/bmp",
}


def artifact_content_type(path: Path) -> str:
    """The part Content-Type for an artifact file, by extension: ``.jar`` ->
    ``application/java-archive``, ``.json`` -> ``application/json``, anything else
    (``.obr``, ``.jwb``) -> ``application/octet-stream``."""
    return _ARTIFACT_TYPES.get(path.suffix.lower(), "application/octet-stream")


def image_content_type(path: Path) -> str:
    """The part Content-Type for a listing image, by extension (``.png``, ``.jpg``/
    ``.jpeg``, ``.gif``, ``.bmp``); ``application/octet-stream`` otherwise."""
    return _IMAGE_TYPES.get(path.suffix.lower(), "application/octet-stream")


def _quote_filename(name: str) -> str:
    """``name`` for a quoted ``filename=`` parameter, escaped the way browsers do (HTML
    form encoding): ``"`` -> ``%22``, CR -> ``%0D``, LF -> ``%0A``; UTF-8 otherwise."""
    return name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


class _Hasher:
    """SHA-512 fed from a bounded queue by another thread. ``None`` ends the stream."""

    def __init__(self, queue_blocks: int) -> None:
        self._hash = hashlib.sha512()
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=max(1, queue_blocks))
        self._thread = threading.Thread(target=self._run, name="sha512", daemon=True)
        self._abandoned = False
        self._thread.start()

    def _run(self) -> None:
        update = self._hash.update
        get = self._queue.get
        while True:
            block = get()
            if block is None:
                return
            if not self._abandoned:
                update(block)

    def feed(self, block: bytes) -> None:
        """Queue ``block`` for hashing (blocks while the queue is full)."""
        self._queue.put(block)

    def end(self) -> None:
        """End the stream (the thread finishes the queued blocks on its own)."""
        self._queue.put(None)

    def digest(self) -> str:
        """Wait for the thread after :meth:`end`; the lower-case hex digest."""
        self._thread.join()
        return self._hash.hexdigest()

    def abandon(self) -> None:
        """End the stream without needing the digest (queued blocks are skipped)."""
        self._abandoned = True
        self._queue.put(None)


class MultipartFileBody:
    """A one-part ``multipart/form-data`` body streamed from ``path`` (single use).

    ``field`` is the part name (the Marketplace API uses ``file``); ``filename`` the
    part's file name (default: the local file's name); ``part_type`` the part's
    Content-Type. ``len(body)`` is the exact body length in bytes, so ``requests``
    sends ``Content-Length``. ``progress(sent, total)`` is called with file bytes
    handed to the socket, at most once per :data:`PROGRESS_INTERVAL` seconds of
    ``monotonic`` plus once at the end.

    After the iterator is exhausted, :attr:`finished` is True and :meth:`sha512`
    returns the digest of the streamed file bytes (or, with ``checksums`` holding a
    digest of the file with the identity it has when it is opened, that digest: the
    file is then not hashed twice). :attr:`started` tells whether any byte was handed
    to the socket. Raises :class:`FileCheckError` when the file cannot be opened,
    changes size while it is read, or (prefetched digest) is rewritten while it is read
    (the request is then abandoned).
    """

    def __init__(
        self,
        path: Path,
        *,
        part_type: str,
        field: str = "file",
        filename: str | None = None,
        block_size: int = DEFAULT_BLOCK_SIZE,
        queue_blocks: int = DEFAULT_QUEUE_BLOCKS,
        progress: ProgressCallback | None = None,
        monotonic: Callable[[], float] | None = None,
        boundary: str | None = None,
        checksums: FileChecksums | None = None,
    ) -> None:
        if block_size <= 0:
            raise ValueError("block_size must be positive")
        self.path = Path(path)
        try:
            self.size = self.path.stat().st_size
        except OSError as exc:
            raise FileCheckError(
                f"cannot read {self.path}: {exc.strerror or exc}",
                hint="check that the file exists and is readable",
            ) from None
        self.boundary = boundary or f"release-publisher-{secrets.token_hex(16)}"
        name = _quote_filename(filename if filename is not None else self.path.name)
        self._preamble = (
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            f"Content-Type: {part_type}\r\n\r\n"
        ).encode()
        self._epilogue = f"\r\n--{self.boundary}--\r\n".encode("ascii")
        self._length = len(self._preamble) + self.size + len(self._epilogue)
        self._block_size = block_size
        self._queue_blocks = queue_blocks
        self._progress = progress
        self._monotonic = monotonic
        self._iterator: Iterator[bytes] | None = None
        self._hasher: _Hasher | None = None
        self._digest: str | None = None
        self._checksums = checksums
        self._identity: FileIdentity | None = None  # the file's, when opened
        self._prefetched: Future[str] | None = None
        self.started = False
        self.finished = False

    @property
    def content_type(self) -> str:
        """The request's Content-Type: ``multipart/form-data; boundary=...``."""
        return f"multipart/form-data; boundary={self.boundary}"

    @property
    def part_headers(self) -> dict[str, str]:
        """The part's headers as sent: ``Content-Disposition`` (with the file name)
        and ``Content-Type`` (for the wire trace: never the file's bytes)."""
        lines = self._preamble.decode().split("\r\n")[1:]
        return dict(line.split(": ", 1) for line in lines if ": " in line)

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[bytes]:
        if self._iterator is not None:
            raise RuntimeError("a MultipartFileBody can be sent only once")
        self._iterator = self._generate()
        return self._iterator

    def _generate(self) -> Iterator[bytes]:
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except OSError as exc:
            raise FileCheckError(
                f"cannot open {self.path}: {exc.strerror or exc}",
                hint="check that the file exists and is readable",
            ) from None
        try:
            self._identity = FileIdentity.of(os.fstat(fd))
        except OSError:
            self._identity = None
        if self._checksums is not None and self._identity is not None:
            self._prefetched = self._checksums.pending(self.path, self._identity)
        hasher = self._hasher = _Hasher(self._queue_blocks) if self._prefetched is None else None
        try:
            self.started = True
            yield self._preamble
            yield from self._stream_file(fd, hasher)
            if hasher is None:
                self._check_unchanged(fd)
            yield self._epilogue
            if hasher is not None:
                hasher.end()  # joined lazily in sha512(), overlapping the server's answer
            self.finished = True
        finally:
            os.close(fd)
            if not self.finished and hasher is not None:
                hasher.abandon()

    def _check_unchanged(self, fd: int) -> None:
        """After streaming without hashing: the file still has the identity the
        prefetched digest is of, so the digest covers the bytes sent."""
        try:
            now: FileIdentity | None = FileIdentity.of(os.fstat(fd))
        except OSError:
            now = None
        if now != self._identity:
            raise FileCheckError(
                f"{self.path} was modified while it was being uploaded",
                hint="do not modify the artifact while release-publisher runs",
            )

    def _stream_file(self, fd: int, hasher: _Hasher | None) -> Iterator[bytes]:
        read = os.read
        feed = hasher.feed if hasher is not None else None
        size = self.size
        block_size = self._block_size
        progress = self._progress
        now = self._monotonic
        next_report = now() + PROGRESS_INTERVAL if progress and now else 0.0
        sent = 0
        while sent < size:
            block = read(fd, min(block_size, size - sent))
            if not block:
                raise FileCheckError(
                    f"{self.path} shrank while it was being uploaded ({sent} of {size} bytes read)",
                    hint="do not modify the artifact while release-publisher runs",
                )
            if feed is not None:
                feed(block)
            yield block
            sent += len(block)
            if progress is not None and now is not None and now() >= next_report:
                progress(sent, size)
                next_report = now() + PROGRESS_INTERVAL
        if read(fd, 1):
            raise FileCheckError(
                f"{self.path} grew while it was being uploaded (expected {size} bytes)",
                hint="do not modify the artifact while release-publisher runs",
            )
        if progress is not None:
            progress(sent, size)

    def sha512(self) -> str:
        """The lower-case hex SHA-512 of the file bytes streamed. When the body was not
        sent to its end (a server that answered early), the rest of the file is read
        and hashed here, so the value always covers the whole file."""
        if self._digest is not None:
            return self._digest
        if self._prefetched is not None:
            try:
                self._digest = self._prefetched.result()
                return self._digest
            except OSError:
                self._prefetched = None  # unreadable or changed during the prefetch
                if self.finished:
                    # streamed without a hash of its own: what the file holds now need
                    # not be what was sent, so no digest can be trusted
                    raise FileCheckError(
                        f"{self.path} was modified while it was being uploaded or hashed",
                        hint="do not modify the artifact while release-publisher runs",
                    ) from None
        if self.finished and self._hasher is not None:
            self._digest = self._hasher.digest()
            if self._checksums is not None and self._identity is not None:
                self._checksums.record(self.path, self._identity, self._digest)
            return self._digest
        self.close()
        self._digest = sha512_file(self.path, block_size=self._block_size)
        return self._digest

    def close(self) -> None:
        """Release the file and the hashing thread if the body was not sent to its end
        (safe to call more than once)."""
        iterator = self._iterator
        if iterator is not None and not self.finished:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()
        if self._iterator is None:
            self._iterator = iter(())  # never sent: make it single-use all the same


class BytesBody:
    """A small in-memory body (e.g. a JSON document) that reports, like
    :class:`MultipartFileBody`, whether it was handed to the socket completely
    (:attr:`started`, :attr:`finished`). ``len()`` is its length in bytes."""

    def __init__(self, data: bytes, content_type: str) -> None:
        self.data = data
        self.content_type = content_type
        self.started = False
        self.finished = False

    def __len__(self) -> int:
        return len(self.data)

    def __iter__(self) -> Iterator[bytes]:
        self.started = True
        yield self.data
        self.finished = True

    def close(self) -> None:
        """Nothing to release (present so that any body can be closed)."""


def encode_json_body(
    endpoint: str, body: dict[str, Any], redact: Callable[[str], str]
) -> tuple[bytes, str]:
    """``(payload, shown)``: ``body`` as UTF-8 JSON bytes to send to ``endpoint``, and
    as text to show in messages (keys sorted, ``redact``-ed, at most 2000 characters).
    Raises :class:`~release_publisher.errors.UsageError` (nothing is sent) when
    ``body`` is not a JSON object or cannot be encoded (NaN, sets, ...)."""
    if not isinstance(body, dict):
        raise UsageError(
            f"{endpoint}: the request body must be a JSON object, got {type(body).__name__}"
        )
    try:
        payload = json.dumps(body, ensure_ascii=False, allow_nan=False).encode()
    except (TypeError, ValueError) as exc:
        raise UsageError(
            f"{endpoint}: the request body cannot be sent as JSON: {redact(str(exc))}",
            hint="use only strings, numbers, booleans, null, lists and objects",
        ) from None
    return payload, truncate(redact(json.dumps(body, sort_keys=True, default=str)), 2000)


def upload_file_size(path: Path) -> int:
    """The size in bytes of the file ``path`` to upload; raises
    :class:`~release_publisher.errors.FileCheckError` when it is not a readable file."""
    try:
        if not path.is_file():
            raise FileCheckError(
                f"{path} is not a file", hint="check the path of the file to upload"
            )
        return path.stat().st_size
    except OSError as exc:
        raise FileCheckError(
            f"cannot read {path}: {exc.strerror or exc}",
            hint="check that the file exists and is readable",
        ) from None
