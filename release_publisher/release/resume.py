"""``publish --resume RESULT.json``: take over what a previous run of the same release
uploaded and verified, so a release that failed later (at an image, at version
creation) is finished without spending upload budget again.

What is reused, and how it is re-checked:

- an artifact the previous run got onto Marketplace (``state`` ``verified``, or
  ``uploaded``: e.g. the run timed out while Marketplace was processing it): it is read
  again with ``GET /rest/3/artifacts/{id}``, polled until processed, and verified again.
  If Marketplace no longer has it (404), reports no checksum, or its checksum differs
  from the local file's SHA-512 (the file was rebuilt; for a ``url`` artifact: the
  configured ``sha512`` or the previously reported checksum), it is uploaded again and
  the log says why. If the checksum matches but the key, version or an ``expect`` field
  does not, the run fails (exit 5) without uploading the same bytes again;
- a listing image with an ID whose type and file match and whose file size is unchanged
  (Marketplace has no endpoint to read an image back, so the size is the check);
- the app version and its listing (the ``release:`` section) need nothing from the
  result: an existing version whose artifact holds this release's bytes is recognised
  on Marketplace itself (see :mod:`release_publisher.release.version`), and only a
  missing listing is published.

Every reuse decision is made here (pure functions over what was read); the stages
(:mod:`.artifacts`, :mod:`.images`, :mod:`.version`) send the requests and act on them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..marketplace.upload import sha512_file
from ..preflight.model import LocalArtifact
from ..result import ReleaseResult


@dataclass(frozen=True)
class PreviousRun:
    """The parts of a previous result JSON that ``--resume`` can use: ``artifacts``
    maps artifact name -> its result entry (dicts as in the result JSON); ``images``
    maps ``(type, file)`` -> its entry."""

    artifacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    images: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def uploaded_artifact(self, name: str) -> dict[str, Any] | None:
        """The previous entry of artifact ``name`` if Marketplace got it (state
        ``uploaded`` or ``verified``, with an ID); None otherwise."""
        entry = self.artifacts.get(name)
        if entry and entry.get("id") and entry.get("state") in ("uploaded", "verified"):
            return entry
        return None

    def prefill(self, result: ReleaseResult) -> None:
        """Start a resumed run's ``result`` from what the previous run left: the IDs,
        checksums and states of its artifacts and the IDs of its images. A resumed run
        that fails before re-checking them (even when ``--result-json`` overwrites the
        file it resumed from) still reports them, so the next resume loses nothing."""
        for record in result.artifacts:
            entry = self.uploaded_artifact(record.name)
            if entry is None:
                continue
            record.id = str(entry["id"])
            record.state = str(entry["state"])
            record.checksum = entry.get("checksum")
            record.binary = entry.get("binary")
            record.key = entry.get("key")
            record.version = entry.get("version")
        for image in result.images:
            previous = self.image(image.type, image.file, image.size if image.size else -1)
            if previous is not None:
                image.id = str(previous["id"])

    def image(self, image_type: str, file: str, size: int) -> dict[str, Any] | None:
        """The previous entry for this image file if it has an ID and the same size."""
        entry = self.images.get((image_type, file))
        if entry and entry.get("id") and entry.get("size") == size:
            return entry
        return None


def reuse_checksum(local: LocalArtifact, entry: dict[str, Any]) -> str | None:
    """The SHA-512 hex a previous run's artifact must hold to be reused for ``local``:
    the local file's (read now: the file may have been rebuilt since), else the
    configured ``sha512``, else the checksum the previous run recorded; None when
    none is known."""
    if local.path is not None:
        return sha512_file(local.path)
    checksum = local.spec.sha512 or entry.get("checksum")
    return checksum if isinstance(checksum, str) else None


def why_not_reuse(expected: str | None, reported: str | None) -> str | None:
    """Why an artifact Marketplace still has cannot be reused (upload again), or None
    when it holds exactly the expected bytes (``reported`` equals ``expected``)."""
    if reported is None or expected is None:
        return "Marketplace reports no checksum for it, so it cannot be shown to hold these bytes"
    if reported != expected:
        return "it holds other bytes than the local file (SHA-512 differs: rebuilt since?)"
    return None


def verified_checksum(previous: PreviousRun | None, name: str, artifact_id: str) -> str | None:
    """The checksum a previous run verified for artifact ``name`` when it had the ID
    ``artifact_id`` (how a ``url`` artifact without ``sha512`` is recognised in an
    existing version); None otherwise."""
    entry = (previous.artifacts.get(name) if previous else None) or {}
    if entry.get("id") != artifact_id or entry.get("state") != "verified":
        return None
    checksum = entry.get("checksum")
    return checksum if isinstance(checksum, str) else None


def listing_still_missing(*, wants_listing: bool, existing: dict[str, Any]) -> bool:
    """For a version that exists with this very artifact: True when the config asks
    for a listing and the version has none (a previous run failed at the listing), so
    the listing is still to publish; False: the release is already published."""
    return wants_listing and not existing.get("listing")


def load_previous_run(path: Path, *, app_key: str, version: str) -> PreviousRun:
    """Read a result JSON written by ``publish --result-json`` for ``--resume``.

    Raises :class:`UsageError` (exit 2) when the file is missing, not a result JSON of
    this tool, or belongs to another app key or version (resuming another release
    would reuse the wrong artifacts).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"cannot read the result file to resume from, {path}: {exc.strerror or exc}",
            hint="pass the --result-json file of the failed run (in the action: resume-from)",
        ) from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise UsageError(
            f"{path} is not JSON ({exc}); it cannot be resumed from",
            hint="pass the file written by publish --result-json",
        ) from None
    if not isinstance(data, dict) or data.get("schema") != 1 or "artifacts" not in data:
        raise UsageError(
            f"{path} is not a release-publisher result file (schema 1)",
            hint="pass the file written by publish --result-json",
        )
    app = data.get("app") or {}
    if app.get("key") != app_key or app.get("version") != version:
        raise UsageError(
            f"{path} is the result of {app.get('key')} {app.get('version')}, "
            f"not of this release {app_key} {version}",
            hint="resume only the same app key and version; start a fresh run otherwise",
        )
    artifacts = {
        str(a["name"]): a
        for a in data.get("artifacts") or []
        if isinstance(a, dict) and isinstance(a.get("name"), str)
    }
    images = {
        (str(i["type"]), str(i["file"])): i
        for i in data.get("images") or []
        if isinstance(i, dict) and isinstance(i.get("type"), str) and isinstance(i.get("file"), str)
    }
    return PreviousRun(artifacts=artifacts, images=images)
