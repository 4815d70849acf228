"""Zip plumbing for reading artifacts (JAR, OBR, JWB) safely: finding the
end-of-central-directory record the way Java does, bounding what is read, refusing
ambiguous entries.

* :func:`find_end_record` finds the end-of-central-directory (EOCD) record as Java's
  ``ZipFile`` does (Marketplace is Java): scanning back from the end, the last
  ``PK\\x05\\x06`` whose comment length reaches exactly the end of the file, or whose
  central directory and first local header are where it says. A ``PK\\x05\\x06`` inside
  the zip comment is therefore not taken for the record. Python's :mod:`zipfile`
  takes the last ``PK\\x05\\x06`` whatever it is (3.11), so :func:`open_zip` hands it a
  view of the file that ends at the real record.
* Central directories with more than :data:`MAX_ZIP_ENTRIES` entries, or larger than
  :data:`MAX_CENTRAL_DIRECTORY_BYTES`, are refused before they are parsed.
* :func:`read_member` inflates at most cap + 1 bytes; :func:`spool_member` copies a
  nested JAR to a :class:`tempfile.SpooledTemporaryFile`.
* :func:`check_nothing_prepended` (run by :func:`open_zip`) refuses data before the
  first local header (two archives concatenated: readers disagree on the entries).
* :func:`unique_entry` refuses an entry name present twice (Java's ``ZipFile`` reads
  the last, ``ZipInputStream`` the first: which one Marketplace reads is unknown).

Every failure is a :class:`~release_publisher.errors.FileCheckError`; no zipfile
exception escapes. May import: :mod:`release_publisher.errors`,
:mod:`release_publisher.limits`. Knows nothing of descriptors or the config.
"""

from __future__ import annotations

import io
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from ..errors import FileCheckError
from ..limits import MAX_ARTIFACT_BYTES, human_size

#: Largest plugin JAR inflated out of an OBR, bytes.
MAX_NESTED_JAR_BYTES = MAX_ARTIFACT_BYTES
#: A nested JAR is held in memory up to this many bytes, then in a temporary file.
SPOOL_MEMORY_BYTES = 8 * 1024 * 1024
#: Zips whose central directory lists more entries, or is larger (bytes), are refused
#: before being parsed (a real app JAR has a few thousand entries).
MAX_ZIP_ENTRIES = 200_000
MAX_CENTRAL_DIRECTORY_BYTES = 64 * 1024 * 1024

_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_MAX_COMMENT = 0xFFFF
_CEN = b"PK\x01\x02"
_LOC = b"PK\x03\x04"

ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,  # unsupported compression method (e.g. deflate64)
    RuntimeError,  # encrypted entry
    ValueError,
    struct.error,
    OSError,  # a seek to a bogus offset
)
"""What :mod:`zipfile` raises on damaged or hostile input."""


def corrupt(shown: str, exc: BaseException) -> FileCheckError:
    """The error for a zip that cannot be read (``exc`` says why)."""
    return FileCheckError(
        f"{shown} is not a valid zip file: {exc or type(exc).__name__}",
        hint="the file is corrupt or truncated: rebuild it, and check any step that"
        " copies or downloads it",
    )


def too_big(shown: str, source: str, what: str, limit: int) -> FileCheckError:
    """The error for entry ``source`` of ``shown`` over ``limit`` bytes (``what``: how)."""
    return FileCheckError(
        f"{shown}: {source} {what}; at most {human_size(limit)} is read",
        hint="a real descriptor is a few KiB: the artifact is damaged or hostile (a zip"
        " bomb?); rebuild it",
    )


@dataclass(frozen=True)
class EndRecord:
    """The end-of-central-directory record found: ``offset`` of ``PK\\x05\\x06`` in the
    file (bytes), the number of ``entries`` and ``cd_size`` (bytes) of the central
    directory (from the zip64 record when the classic one says 0xFFFF/0xFFFFFFFF)."""

    offset: int
    entries: int
    cd_size: int


def _read_at(f: IO[bytes], offset: int, n: int) -> bytes:
    f.seek(offset)
    return f.read(n)


def find_end_record(f: IO[bytes], size: int, *, shown: str) -> EndRecord:
    """The EOCD record of the zip ``f`` (``size`` bytes), found as Java's ``ZipFile``
    finds it (module docstring), reading only the last 64 KiB + 22 bytes (and the
    zip64 record, or the two signatures a candidate points at). Leaves ``f`` at 0.
    Raises :class:`FileCheckError` when there is no usable record."""
    tail_len = min(size, _EOCD_SIZE + _MAX_COMMENT)
    start = size - tail_len
    tail = _read_at(f, start, tail_len)
    found: EndRecord | None = None
    at = tail.rfind(_EOCD, 0, len(tail) - _EOCD_SIZE + 4) if len(tail) >= _EOCD_SIZE else -1
    while at >= 0:
        entries, cd_size, cd_offset, comment_len = struct.unpack(
            "<10xHLLH", tail[at : at + _EOCD_SIZE]
        )
        offset = start + at
        fits = offset + _EOCD_SIZE + comment_len == size
        if not fits:
            # Java's second chance: the central directory and the first local header
            # are where this record says (bytes padded after the comment)
            cen = offset - cd_size
            loc = cen - cd_offset
            fits = (
                cen >= 0
                and loc >= 0
                and _read_at(f, cen, 4) == _CEN
                and _read_at(f, loc, 4) == _LOC
            )
        if fits:
            found = EndRecord(offset, entries, cd_size)
            break
        at = tail.rfind(_EOCD, 0, at + 3) if at > 0 else -1
    f.seek(0)
    if found is None:
        raise corrupt(shown, zipfile.BadZipFile("no end-of-central-directory record"))
    if (found.entries == 0xFFFF or found.cd_size == 0xFFFFFFFF) and found.offset >= 20:
        locator = _read_at(f, found.offset - 20, 20)
        if locator[:4] == b"PK\x06\x07":
            (zip64_at,) = struct.unpack("<8xQ4x", locator)
            if zip64_at + 56 <= size:
                record = _read_at(f, zip64_at, 56)
                if record[:4] == b"PK\x06\x06":
                    entries, cd_size = struct.unpack("<32xQQ8x", record)
                    found = EndRecord(found.offset, entries, cd_size)
        f.seek(0)
    return found


def check_zip_directory(f: IO[bytes], size: int, *, shown: str) -> EndRecord:
    """The EOCD record of ``f`` (see :func:`find_end_record`); refuses a central
    directory listing more than :data:`MAX_ZIP_ENTRIES` entries or larger than
    :data:`MAX_CENTRAL_DIRECTORY_BYTES`. Raises :class:`FileCheckError`."""
    record = find_end_record(f, size, shown=shown)
    if record.entries > MAX_ZIP_ENTRIES or record.cd_size > MAX_CENTRAL_DIRECTORY_BYTES:
        raise FileCheckError(
            f"{shown} lists {record.entries} zip entries ({human_size(record.cd_size)} of"
            f" central directory); at most {MAX_ZIP_ENTRIES} entries are read",
            hint="this is not a plausible app artifact (a zip bomb?): check the build",
        )
    return record


class _Window(io.RawIOBase):
    """The first ``end`` bytes of the seekable file ``f``, as a file."""

    def __init__(self, f: IO[bytes], end: int) -> None:
        super().__init__()
        self._f = f
        self._end = end
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._end}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), self._end - self._pos)
        if n <= 0:
            return 0
        self._f.seek(self._pos)
        data = self._f.read(n)
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)


@contextmanager
def open_zip(f: IO[bytes], size: int, *, shown: str) -> Iterator[zipfile.ZipFile]:
    """``f`` (``size`` bytes) as a :class:`zipfile.ZipFile`, after
    :func:`check_zip_directory`. When the zip comment holds a ``PK\\x05\\x06`` that
    :mod:`zipfile` would take for the record, it reads a view ending at the real one.
    Raises :class:`FileCheckError` for a corrupt zip."""
    record = check_zip_directory(f, size, shown=shown)
    tail_len = min(size, _EOCD_SIZE + _MAX_COMMENT + 1)
    python_at = _read_at(f, size - tail_len, tail_len).rfind(_EOCD) + size - tail_len
    f.seek(0)
    source: IO[bytes] = f
    if python_at != record.offset:
        source = io.BufferedReader(_Window(f, record.offset + _EOCD_SIZE))
    try:
        zf = zipfile.ZipFile(source)
    except ZIP_ERRORS as exc:
        raise corrupt(shown, exc) from None
    with zf:
        check_nothing_prepended(zf, shown=shown)
        yield zf


def check_nothing_prepended(zf: zipfile.ZipFile, *, shown: str) -> None:
    """Refuse a zip whose first local header is not at byte 0: data before it (a
    launch script, or a second archive: two archives concatenated) makes readers
    disagree. Python's :mod:`zipfile` and Java's ``ZipFile`` read the entries the
    central directory at the end lists (shifting their offsets past the prepended
    bytes); Java's ``ZipInputStream`` reads local headers from the start, so it reads
    the first archive's entries, or nothing. Raises :class:`FileCheckError`."""
    infos = zf.infolist()
    if not infos:
        return
    first = min(info.header_offset for info in infos)
    if first > 0:
        raise FileCheckError(
            f"{shown} has {first:,} bytes before its first zip entry (data or another"
            " archive prepended: two archives concatenated, a launch script): Java's"
            " ZipFile reads the entries its central directory lists, ZipInputStream"
            " the ones from the start of the file, so which one Marketplace reads is"
            " unknown",
            hint="upload the JAR the build produced itself: nothing may come before its"
            " first entry (no executable-JAR launch script, no second archive)",
        )


def unique_entry(zf: zipfile.ZipFile, name: str, *, shown: str) -> None:
    """Refuse ``name`` when the zip lists it more than once: Java's ``ZipFile`` reads the
    last copy, ``ZipInputStream`` the first, so which one Marketplace reads is unknown.
    Raises :class:`FileCheckError`."""
    count = sum(1 for info in zf.infolist() if info.filename == name)
    if count > 1:
        raise FileCheckError(
            f"{shown} holds {count} entries named {name}; readers disagree on which one"
            " counts (Java's ZipFile reads the last, ZipInputStream the first)",
            hint="rebuild the artifact so each entry appears once (a build step that"
            " appends to the JAR, e.g. a second `jar uf`, adds a duplicate)",
        )


def read_member(zf: zipfile.ZipFile, name: str, limit: int, *, source: str, shown: str) -> bytes:
    """The bytes of entry ``name``, refusing a declared or actual size over ``limit``
    bytes (at most ``limit + 1`` bytes are inflated) and a name listed twice."""
    unique_entry(zf, name, shown=shown)
    try:
        info = zf.getinfo(name)
        if info.file_size > limit:
            raise too_big(shown, source, f"declares {human_size(info.file_size)}", limit)
        with zf.open(info) as member:
            data = member.read(limit + 1)
    except ZIP_ERRORS as exc:
        raise corrupt(shown, exc) from None
    if len(data) > limit:
        raise too_big(shown, source, f"inflates to more than {human_size(limit)}", limit)
    return data


@contextmanager
def spool_member(zf: zipfile.ZipFile, name: str, *, source: str, shown: str) -> Iterator[IO[bytes]]:
    """Entry ``name`` copied to a spooled temporary file (memory up to
    :data:`SPOOL_MEMORY_BYTES`, refused over :data:`MAX_NESTED_JAR_BYTES`)."""
    limit = MAX_NESTED_JAR_BYTES
    unique_entry(zf, name, shown=shown)
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES) as spool:
        try:
            info = zf.getinfo(name)
            if info.file_size > limit:
                raise too_big(shown, source, f"declares {human_size(info.file_size)}", limit)
            total = 0
            with zf.open(info) as member:
                while chunk := member.read(1024 * 1024):
                    total += len(chunk)
                    if total > limit:
                        raise too_big(
                            shown, source, f"inflates to more than {human_size(limit)}", limit
                        )
                    spool.write(chunk)
        except ZIP_ERRORS as exc:
            raise corrupt(shown, exc) from None
        spool.seek(0)
        yield spool
