"""On-disk storage of the sandbox's artifacts and listing images (the upload spacing and
budget live in :mod:`.ledger`).

Layout under ``data_dir`` (file names are always generated IDs, never a client's file
name, so no path a client sends can escape the directory)::

    artifacts/<id>.bin   the artifact's bytes      artifacts/<id>.json  its metadata
    images/<id>.bin      the image's bytes         images/<id>.json     its metadata
    tmp/<random>.part    uploads in progress (moved into place once accepted)

Metadata files make a ``--data-dir`` survive a restart: :class:`Store` reloads them
(artifacts reloaded this way are reported as already processed).

Every public method is thread-safe (the server is threaded).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import secrets
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class TooLarge(Exception):
    """A stream went over its byte limit (``limit`` bytes)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} bytes")
        self.limit = limit


def new_id() -> str:
    """A fresh opaque ID: 20 lowercase hex characters (80 random bits)."""
    return secrets.token_hex(10)


def logical_name(client_name: str | None, default: str) -> str:
    """The name to *report* for a client-supplied file name: its last path component
    (``../../etc/passwd`` -> ``passwd``, ``C:\\x\\a.jar`` -> ``a.jar``), control
    characters removed, at most 255 characters; ``default`` when nothing is left.
    Never used as a path on disk."""
    raw = (client_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    clean = "".join(ch for ch in raw if ch.isprintable()).strip()
    if clean in ("", ".", ".."):
        return default
    return clean[:255]


class HashingWriter:
    """A write-only file under ``tmp/`` that computes SHA-512 and counts bytes as it is
    written, and raises :class:`TooLarge` once more than ``limit`` bytes arrive.

    Quacks enough like ``IO[bytes]`` for werkzeug's multipart parser (``write``,
    ``seek``, ``tell``, ``read``, ``flush``, ``close``).
    """

    def __init__(self, path: Path, limit: int) -> None:
        self.path = path
        self.limit = limit
        self.size = 0
        self._sha = hashlib.sha512()
        self._fh = open(path, "w+b")  # noqa: SIM115 - closed by close()

    def write(self, data: bytes) -> int:
        """Append ``data``; raises :class:`TooLarge` past ``limit`` bytes."""
        if self.size + len(data) > self.limit:
            raise TooLarge(self.limit)
        self._fh.write(data)
        self._sha.update(data)
        self.size += len(data)
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        """Move the file position (the parser rewinds when a part ends)."""
        return self._fh.seek(offset, whence)

    def tell(self) -> int:
        """The file position in bytes."""
        return self._fh.tell()

    def read(self, size: int = -1) -> bytes:
        """Read from the current position."""
        return self._fh.read(size)

    def flush(self) -> None:
        """Flush to the OS."""
        self._fh.flush()

    def close(self) -> None:
        """Close the file (idempotent); the file stays on disk."""
        self._fh.close()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._fh.closed

    @property
    def sha512(self) -> str:
        """Lowercase hex SHA-512 of the bytes written so far."""
        return self._sha.hexdigest()

    def discard(self) -> None:
        """Close and delete the file."""
        self.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


@dataclass
class ArtifactRecord:
    """One stored artifact. ``size`` bytes; ``sha512`` lowercase hex; ``details`` what
    Marketplace would report in ``details``; ``ready_at`` the monotonic time (seconds)
    from which ``details`` is shown; ``remote`` the fetch URI (fetched artifacts);
    ``created`` wall-clock POSIX seconds."""

    id: str
    file_name: str
    size: int
    sha512: str
    details: dict[str, Any]
    ready_at: float
    created: float
    remote: str | None = None

    def to_meta(self) -> dict[str, Any]:
        """The JSON kept in ``artifacts/<id>.json``."""
        return {
            "id": self.id,
            "file_name": self.file_name,
            "size": self.size,
            "sha512": self.sha512,
            "details": self.details,
            "created": self.created,
            "remote": self.remote,
        }


@dataclass
class ImageRecord:
    """One stored listing image: ``size`` bytes, ``mime_type`` from its magic bytes,
    ``image_type`` the path segment it was uploaded under."""

    id: str
    image_type: str
    file_name: str
    mime_type: str
    size: int
    sha512: str
    created: float

    def to_meta(self) -> dict[str, Any]:
        """The JSON kept in ``images/<id>.json``."""
        return {
            "id": self.id,
            "image_type": self.image_type,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "size": self.size,
            "sha512": self.sha512,
            "created": self.created,
        }


class Store:
    """Artifacts and images kept under ``data_dir`` (created if missing)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._lock = threading.Lock()
        self._artifacts: dict[str, ArtifactRecord] = {}
        self._images: dict[str, ImageRecord] = {}
        for sub in ("artifacts", "images", "tmp"):
            (self.data_dir / sub).mkdir(parents=True, exist_ok=True)
        self._load()

    # -- paths -------------------------------------------------------------------------

    def new_upload(self, limit: int) -> HashingWriter:
        """A :class:`HashingWriter` for an incoming body part of at most ``limit`` bytes."""
        return HashingWriter(self.data_dir / "tmp" / f"{new_id()}.part", limit)

    def artifact_path(self, artifact_id: str) -> Path:
        """Where the bytes of artifact ``artifact_id`` (a generated ID) live."""
        return self.data_dir / "artifacts" / f"{artifact_id}.bin"

    def image_path(self, image_id: str) -> Path:
        """Where the bytes of image ``image_id`` (a generated ID) live."""
        return self.data_dir / "images" / f"{image_id}.bin"

    # -- artifacts ---------------------------------------------------------------------

    def add_artifact(self, record: ArtifactRecord, content: Path) -> None:
        """Move ``content`` (a finished upload under ``tmp/``) into place and remember
        ``record``."""
        content.replace(self.artifact_path(record.id))
        _write_json(self.data_dir / "artifacts" / f"{record.id}.json", record.to_meta())
        with self._lock:
            self._artifacts[record.id] = record

    def get_artifact(self, artifact_id: str) -> ArtifactRecord | None:
        """The artifact with that ID, or None."""
        with self._lock:
            return self._artifacts.get(artifact_id)

    def artifacts(self) -> list[ArtifactRecord]:
        """Every artifact, oldest first."""
        with self._lock:
            return sorted(self._artifacts.values(), key=lambda r: r.created)

    # -- images ------------------------------------------------------------------------

    def add_image(self, record: ImageRecord, content: Path) -> None:
        """Move ``content`` into place and remember ``record``."""
        content.replace(self.image_path(record.id))
        _write_json(self.data_dir / "images" / f"{record.id}.json", record.to_meta())
        with self._lock:
            self._images[record.id] = record

    def images(self) -> list[ImageRecord]:
        """Every image, oldest first."""
        with self._lock:
            return sorted(self._images.values(), key=lambda r: r.created)

    # -- housekeeping ------------------------------------------------------------------

    def reset(self) -> None:
        """Forget and delete every artifact, image and unfinished upload."""
        with self._lock:
            self._artifacts.clear()
            self._images.clear()
            for sub in ("artifacts", "images", "tmp"):
                shutil.rmtree(self.data_dir / sub, ignore_errors=True)
                (self.data_dir / sub).mkdir(parents=True, exist_ok=True)

    def _load(self) -> None:
        """Reload metadata left by an earlier run (malformed files are skipped)."""
        for meta in sorted((self.data_dir / "artifacts").glob("*.json")):
            data = _read_json(meta)
            try:
                record = ArtifactRecord(
                    id=str(data["id"]),
                    file_name=str(data["file_name"]),
                    size=int(data["size"]),
                    sha512=str(data["sha512"]),
                    details=dict(data["details"]),
                    ready_at=-math.inf,
                    created=float(data["created"]),
                    remote=data.get("remote"),
                )
            except (KeyError, TypeError, ValueError):
                continue
            if meta.stem == record.id and self.artifact_path(record.id).is_file():
                self._artifacts[record.id] = record
        for meta in sorted((self.data_dir / "images").glob("*.json")):
            data = _read_json(meta)
            try:
                image = ImageRecord(
                    id=str(data["id"]),
                    image_type=str(data["image_type"]),
                    file_name=str(data["file_name"]),
                    mime_type=str(data["mime_type"]),
                    size=int(data["size"]),
                    sha512=str(data["sha512"]),
                    created=float(data["created"]),
                )
            except (KeyError, TypeError, ValueError):
                continue
            if meta.stem == image.id and self.image_path(image.id).is_file():
                self._images[image.id] = image


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    tmp.replace(path)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
