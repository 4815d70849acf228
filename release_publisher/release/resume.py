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
- a listing image with an ID whose type and file match and whose file has the SHA-512
  the previous run recorded for it (``sha512`` of its image entry); a changed file, or
  an entry without ``sha512`` (an older result), is uploaded again. The ID itself
  cannot be re-checked: Marketplace has no endpoint to read an image back (only
  ``POST /rest/3/assets/images/{imageType}`` is known), so an image deleted on
  Marketplace since is not noticed until the listing uses it;
- the app version and its listing (the ``release:`` section) need nothing from the
  result: an existing version whose artifact holds this release's bytes is recognised
  on Marketplace itself (see :mod:`release_publisher.release.version`), and only a
  missing listing is published.

Every reuse decision is made here (pure functions over what was read); the stages
(:mod:`.artifacts`, :mod:`.images`, :mod:`.version`) send the requests and act on them.

The resume file is hostile input until checked (:func:`read_result_file`): only a
regular file of at most :data:`MAX_RESULT_FILE_BYTES`, UTF-8 JSON nested at most
:data:`MAX_NESTING` levels, with every field it uses of the type the tool writes;
anything else is a :class:`~release_publisher.errors.UsageError` (exit 2) naming the
file and what is wrong. A run that fails before it has taken over the file's content
never writes less over it (:func:`kept_on_failure`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..checksums import FileChecksums
from ..errors import UsageError
from ..preflight.model import LocalArtifact
from ..regular_file import RegularFileError, read_regular_file
from ..result import ReleaseResult

#: the largest result file ``--resume`` reads (a real one is a few KiB)
MAX_RESULT_FILE_BYTES = 16 * 1024 * 1024
#: the deepest nesting of objects and lists a result file may have (one has 4)
MAX_NESTING = 32
_RESUME_HINT = "pass the file written by publish --result-json (in the action: resume-from)"
#: what this run's failure replaces in a kept resume file (the rest is kept as it was)
_FAILURE_KEYS = ("status", "error", "warnings", "timings", "tool")


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
            entry = self.images.get((image.type, image.file))
            if entry and entry.get("id") and entry.get("sha512"):
                # kept until the image stage compares the file's SHA-512 with it
                image.id, image.sha512 = str(entry["id"]), str(entry["sha512"])

    def image(self, image_type: str, file: str, sha512: str) -> dict[str, Any] | None:
        """The previous entry for this image file if it has an ID and the file still
        has the SHA-512 (hex) recorded for it; None otherwise (upload it again)."""
        entry = self.images.get((image_type, file))
        if entry and entry.get("id") and entry.get("sha512") == sha512:
            return entry
        return None


def reuse_checksum(
    local: LocalArtifact, entry: dict[str, Any], checksums: FileChecksums
) -> str | None:
    """The SHA-512 hex a previous run's artifact must hold to be reused for ``local``:
    the local file's (as it is now, from ``checksums``: the file may have been rebuilt
    since), else the configured ``sha512``, else the checksum the previous run
    recorded; None when none is known. Raises OSError when the local file cannot be
    read."""
    if local.path is not None:
        return checksums.sha512(local.path)
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
    """Read a result JSON written by ``publish --result-json`` for ``--resume``:
    :func:`previous_run` of :func:`read_result_file`. Raises :class:`UsageError`."""
    return previous_run(read_result_file(path), path, app_key=app_key, version=version)


def read_result_file(path: Path) -> dict[str, Any]:
    """The data of the result JSON at ``path``, checked as hostile input.

    Raises :class:`UsageError` (exit 2) naming ``path`` when it is missing, not a
    regular file (a FIFO, ``/dev/zero``), over :data:`MAX_RESULT_FILE_BYTES`, not UTF-8,
    not JSON, nested deeper than :data:`MAX_NESTING`, not a result of this tool
    (``schema`` 1), or when a field it uses has another type than the tool writes
    (``app`` an object of strings, ``artifacts``/``images`` lists of objects, ...).
    """
    try:
        raw = read_regular_file(path, MAX_RESULT_FILE_BYTES)
    except RegularFileError as exc:
        raise UsageError(
            f"cannot read the result file to resume from, {path}: it {exc.problem}",
            hint=_RESUME_HINT,
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"{path} is not UTF-8 text (byte {exc.start}); it cannot be resumed from",
            hint=_RESUME_HINT,
        ) from None
    _check_nesting(text, path)
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise UsageError(
            f"{path} is not JSON ({exc}); it cannot be resumed from", hint=_RESUME_HINT
        ) from None
    if not isinstance(data, dict) or data.get("schema") != 1 or "artifacts" not in data:
        raise UsageError(
            f"{path} is not a release-publisher result file (schema 1)", hint=_RESUME_HINT
        )
    problem = _shape_problem(data)
    if problem is not None:
        raise UsageError(
            f"{path} is not a usable result file: {problem}",
            hint=f"{_RESUME_HINT}, unedited; or start a fresh run without --resume",
        )
    return data


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _check_nesting(text: str, path: Path) -> None:
    """Refuse JSON nested deeper than :data:`MAX_NESTING` before parsing it (the parser
    would recurse into a ``[[[[...`` bomb). Brackets inside strings are skipped."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_NESTING:
                raise UsageError(
                    f"{path} is nested more than {MAX_NESTING} levels deep; it is not a "
                    "result file and cannot be resumed from",
                    hint=_RESUME_HINT,
                )
        elif char in "]}":
            depth -= 1


#: the type each field the resume uses must have in an entry (None always allowed)
_ENTRY_FIELDS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "artifacts": {
        "name": str,
        "id": str,
        "state": str,
        "checksum": str,
        "binary": str,
        "key": str,
        "version": str,
    },
    "images": {"type": str, "file": str, "id": str, "sha512": str, "size": int},
}


def _shape_problem(data: dict[str, Any]) -> str | None:
    """What in ``data`` has another type than the tool writes (``field: expected,
    got type``), or None."""

    def got(value: Any) -> str:
        return "null" if value is None else type(value).__name__

    app = data.get("app")
    if not isinstance(app, dict):
        return f"app must be an object, got {got(app)}"
    for key in ("key", "version"):
        if app.get(key) is not None and not isinstance(app.get(key), str):
            return f"app.{key} must be a string, got {got(app.get(key))}"
    for section, fields in _ENTRY_FIELDS.items():
        entries = data.get(section)
        if entries is None and section == "images":
            continue
        if not isinstance(entries, list):
            return f"{section} must be a list, got {got(entries)}"
        for number, entry in enumerate(entries):
            if not isinstance(entry, dict):
                return f"{section}[{number}] must be an object, got {got(entry)}"
            for name, kind in fields.items():
                value = entry.get(name)
                if value is None:
                    continue
                if not isinstance(value, kind) or isinstance(value, bool):
                    wanted = kind.__name__ if isinstance(kind, type) else "value"
                    return (
                        f"{section}[{number}].{name} must be a {wanted} or null, got {got(value)}"
                    )
    release = data.get("release")
    if release is not None and not isinstance(release, dict):
        return f"release must be an object or null, got {got(release)}"
    return None


def previous_run(data: dict[str, Any], path: Path, *, app_key: str, version: str) -> PreviousRun:
    """The :class:`PreviousRun` of checked result ``data`` (from
    :func:`read_result_file` of ``path``). Raises :class:`UsageError` (exit 2) when it
    belongs to another app key or version (resuming another release would reuse the
    wrong artifacts)."""
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


def kept_on_failure(previous: dict[str, Any], failed: dict[str, Any]) -> dict[str, Any]:
    """What to write over the resume file when this run failed before taking over its
    content (a pre-flight failure with ``--resume F --result-json F``): ``previous``
    as it was (app, artifacts, images, release: every ID kept), with this run's
    ``status``, ``error``, ``warnings``, ``timings`` and ``tool`` from ``failed`` (its
    ``to_dict()``). A resume from the written file loses nothing."""
    kept = dict(previous)
    for key in _FAILURE_KEYS:
        if key in failed:
            kept[key] = failed[key]
    return kept
