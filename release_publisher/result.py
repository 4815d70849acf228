"""``ReleaseResult``: what a run did, success or failure, and its JSON form.

The result JSON (``--result-json PATH``) is written on success AND on failure, so
whatever finished before a failure (an uploaded artifact ID) is never lost::

    {"schema": 1,
     "status": "published" | "failed" | "processing-timeout" | "dry-run" | "checked",
     "app": {"key": str, "version": str},
     "artifacts": [{"name", "source": "file"|"url", "file", "url", "size", "id",
                    "checksum", "key", "version", "binary", "verified": {...},
                    "state": "planned"|"uploaded"|"verified"}],
     "images": [{"type", "file", "id", "width", "height", "size"}],
     "error": null | {"kind", "message", "hint", "exit_code", "artifact"},
     "release": null | {"status", "hosting", "appSoftwareId", "buildNumber",
                        "versionNumber", "state", "url", "copiedFrom", "listing"},
     "timings": {"<phase>": seconds},
     "tool": {"name", "version"}, "base_url": str}
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import __version__

STATUS_PUBLISHED = "published"
STATUS_FAILED = "failed"
STATUS_TIMEOUT = "processing-timeout"
STATUS_DRY_RUN = "dry-run"
STATUS_CHECKED = "checked"
STATUS_RUNNING = "running"


@dataclass
class ArtifactResult:
    """One artifact's outcome. ``state``: ``planned`` (nothing sent yet), ``uploaded``
    (Marketplace has it: ``id`` set), ``verified`` (key, version, checksum and
    ``expect`` matched). ``checksum`` is the SHA-512 hex Marketplace reported (or the
    local one when it reported none); ``verified`` maps each checked field to the
    value that matched."""

    name: str
    source: str
    file: str | None = None
    url: str | None = None
    size: int | None = None
    id: str | None = None
    checksum: str | None = None
    key: str | None = None
    version: str | None = None
    binary: str | None = None
    verified: dict[str, Any] = field(default_factory=dict)
    state: str = "planned"
    #: True when this artifact was taken over from a previous run (``--resume``)
    reused: bool = False


@dataclass
class ImageResult:
    """One uploaded (or planned) listing image: ``id`` is None until uploaded;
    ``width``/``height`` pixels; ``size`` bytes."""

    type: str
    file: str
    id: str | None = None
    width: int | None = None
    height: int | None = None
    size: int | None = None
    #: True when the ID was taken over from a previous run (``--resume``)
    reused: bool = False


@dataclass
class ErrorInfo:
    """Why a run failed: ``kind`` is the error class's ``kind``; ``artifact`` names the
    artifact being worked on, if any."""

    kind: str
    message: str
    hint: str | None = None
    exit_code: int = 1
    artifact: str | None = None


@dataclass
class ReleaseResult:
    """The whole outcome of a run; mutated as the pipeline goes so that a failure at
    any point still reports what finished."""

    app_key: str | None
    version: str | None
    status: str = STATUS_RUNNING
    base_url: str | None = None
    artifacts: list[ArtifactResult] = field(default_factory=list)
    images: list[ImageResult] = field(default_factory=list)
    error: ErrorInfo | None = None
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: the ``release:`` section's outcome (None without one): ``status``
    #: (``planning`` | ``planned`` | ``created`` | ``already-published`` | ``failed``),
    #: ``hosting``, ``appSoftwareId``, ``buildNumber``, ``versionNumber``, ``state``,
    #: ``url``, ``copiedFrom`` {buildNumber, versionNumber}, ``listing`` {state,
    #: approvalStatus, revision}
    release: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        """True for ``published``, ``dry-run`` and ``checked``."""
        return self.status in (STATUS_PUBLISHED, STATUS_DRY_RUN, STATUS_CHECKED)

    def artifact_ids(self) -> dict[str, str]:
        """Artifact name -> artifact ID, for the artifacts that have one."""
        return {a.name: a.id for a in self.artifacts if a.id}

    def checksums(self) -> dict[str, str]:
        """Artifact name -> SHA-512 hex, where known."""
        return {a.name: a.checksum for a in self.artifacts if a.checksum}

    def image_ids(self) -> dict[str, list[str]]:
        """Image type -> uploaded image IDs in upload order."""
        out: dict[str, list[str]] = {}
        for image in self.images:
            if image.id:
                out.setdefault(image.type, []).append(image.id)
        return out

    def version_outputs(self) -> dict[str, str]:
        """The app version the ``release:`` section created (or found already
        published): ``build-number``, ``state``, ``url``; empty strings when unknown."""
        info = self.release or {}

        def text(value: Any) -> str:
            return "" if value is None else str(value)

        return {
            "build-number": text(info.get("buildNumber"))
            if info.get("status") in ("created", "already-published")
            else "",
            "state": text(info.get("state")),
            "url": text(info.get("url")),
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form documented in this module."""
        return {
            "schema": 1,
            "status": self.status,
            "app": {"key": self.app_key, "version": self.version},
            "artifacts": [asdict(a) for a in self.artifacts],
            "images": [asdict(i) for i in self.images],
            "error": asdict(self.error) if self.error else None,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "warnings": list(self.warnings),
            "release": self.release,
            "base_url": self.base_url,
            "tool": {"name": "release-publisher", "version": __version__},
        }

    def to_json(self) -> str:
        """``to_dict()`` as indented JSON text with a trailing newline."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=False) + "\n"

    def write(self, path: Path) -> None:
        """Write the JSON atomically (temp file in the same directory, then rename),
        so a reader never sees half a file even if the run is killed mid-write.

        The file is readable by everyone (mode 0644), like most files a
        tool writes: in a Docker action it is written as root and a later step of the
        job, running as the runner's user, must be able to read it.

        Raises OSError when the directory is missing or not writable, or ``path`` is a
        directory.
        """
        path = Path(path)
        fd, tmp = tempfile.mkstemp(prefix=".result-", suffix=".json", dir=path.parent or ".")
        try:
            os.fchmod(fd, 0o644)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(self.to_json())
            Path(tmp).replace(path)
        except BaseException:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()
            raise
