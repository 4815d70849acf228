"""``ReleaseResult``: what a run did, success or failure, and its JSON form.

The result JSON (``--result-json PATH``) is written on success AND on failure, so
whatever finished before a failure (an uploaded artifact ID) is never lost::

    {"schema": 1,
     "status": "published" | "unchanged" | "skipped" | "awaiting-approval" | "failed"
               | "processing-timeout" | "dry-run" | "checked",
     "app": {"key": str, "version": str},
     "artifacts": [{"name", "source": "file"|"url", "file", "url", "size", "id",
                    "checksum", "key", "version", "binary", "verified": {...},
                    "state": "planned"|"uploaded"|"verified"}],
     "images": [{"type", "file", "id", "width", "height", "size"}],
     "error": null | {"kind", "message", "hint", "exit_code", "artifact",
              "location": null | {"file", "line", "col", "field"}},
     "release": null | {"status", "hosting", "appSoftwareId", "buildNumber",
                        "versionNumber", "copiedFrom", "state", "artifactId", "url",
                        "listing", "listingNotPublished", "marketplacePage",
                        "changelog", "captions"}
                        (ReleaseInfo.to_dict: which keys appear when),
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
#: the release was already on Marketplace: nothing was sent but reads
STATUS_UNCHANGED = "unchanged"
#: ``release.if-exists: skip`` and the version number exists with another artifact
STATUS_SKIPPED = "skipped"
#: the version and its listing were created; the listing waits for Marketplace's
#: approval (approval status ``submitted``)
STATUS_AWAITING_APPROVAL = "awaiting-approval"

#: Every top-level ``status`` word, as action.yml, README, the dotenv report and the
#: job summary use them (``checked`` and ``running`` only in the result JSON).
STATUS_WORDS = (
    STATUS_PUBLISHED,
    STATUS_UNCHANGED,
    STATUS_SKIPPED,
    STATUS_AWAITING_APPROVAL,
    STATUS_DRY_RUN,
    STATUS_FAILED,
    STATUS_TIMEOUT,
)

#: The human page of an app on Marketplace (Marketplace redirects it to the listing).
MARKETPLACE_PAGE = "https://marketplace.atlassian.com/plugins/{app_key}"


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
    artifact being worked on, if any; ``location`` where in the config the cause is
    (``{"file", "line", "col", "field"}``, any part null when unknown), if known."""

    kind: str
    message: str
    hint: str | None = None
    exit_code: int = 1
    artifact: str | None = None
    location: dict[str, Any] | None = None


@dataclass
class CopiedFrom:
    """The version the unstated fields were copied from (``copiedFrom`` in the JSON)."""

    build_number: int
    version_number: str


@dataclass
class ListingInfo:
    """The answer of ``POST .../versions/{buildNumber}/listing`` (``listing`` in the
    JSON): ``state``, ``approvalStatus``, ``revision`` as Marketplace reported them."""

    state: Any = None
    approval_status: Any = None
    revision: Any = None


#: ``ReleaseInfo.status`` values
RELEASE_PLANNING = "planning"
RELEASE_PLANNED = "planned"
RELEASE_CREATED = "created"
RELEASE_ALREADY_PUBLISHED = "already-published"
RELEASE_FAILED = "failed"
#: ``release.if-exists: skip``: the version number exists with another artifact
RELEASE_SKIPPED = "skipped"


@dataclass
class ReleaseInfo:
    """The ``release:`` section's outcome (``release`` in the result JSON).

    ``status``: ``planning`` | ``planned`` | ``created`` | ``already-published`` |
    ``skipped`` | ``failed``; ``hosting`` the config's hosting; ``version_number`` the release
    version; ``app_software_id`` and ``build_number`` once known. ``state`` and ``url``
    are Marketplace's view of the version once it exists (created by this run or found
    with this very artifact: then ``artifact_id`` is that version's artifact ID).
    """

    status: str
    hosting: str
    version_number: str
    app_software_id: str | None = None
    build_number: int | None = None
    copied_from: CopiedFrom | None = None
    state: str | None = None
    artifact_id: str | None = None
    url: str | None = None
    listing: ListingInfo | None = None
    #: why no listing was published by this run (None: one was, or not decided yet)
    listing_not_published: str | None = None
    #: the app's human page on Marketplace (:data:`MARKETPLACE_PAGE`)
    marketplace_page: str | None = None
    #: what the version's ``changelog`` sends: ``releaseSummary``, ``releaseNotes``
    changelog: dict[str, str] | None = None
    #: the listing's screenshots: (file, caption) in upload order
    captions: list[tuple[str, str]] = field(default_factory=list)

    @property
    def exists(self) -> bool:
        """True when the version is on Marketplace (``created``, ``already-published``
        or ``skipped``: one with this version number exists)."""
        return self.status in (RELEASE_CREATED, RELEASE_ALREADY_PUBLISHED, RELEASE_SKIPPED)

    @property
    def awaiting_approval(self) -> bool:
        """True when the listing was published and Marketplace's answer says it waits
        for approval (``approvalStatus`` or ``state`` ``submitted``, any case)."""
        listing = self.listing
        if listing is None:
            return False
        return any(
            isinstance(v, str) and v.strip().lower() == "submitted"
            for v in (listing.approval_status, listing.state)
        )

    def listing_state(self) -> str:
        """The ``listing-state`` output: Marketplace's state of the listing published
        by this run (``public``, ``private``, ``submitted``...), ``awaiting-approval``
        when it waits for approval, ``not-published`` when none was."""
        if self.listing is None:
            return "not-published"
        if self.awaiting_approval:
            return STATUS_AWAITING_APPROVAL
        state = self.listing.state
        return state if isinstance(state, str) and state else "unknown"

    def listing_url(self) -> str:
        """The ``listing-url`` output: the API URL of the published listing (the
        version's URL + ``/listing``), "" when none was published."""
        if self.listing is None or not self.url:
            return ""
        return self.url.rstrip("/") + "/listing"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``status``, ``hosting``, ``appSoftwareId``, ``buildNumber``,
        ``versionNumber``, then when known ``copiedFrom`` {buildNumber, versionNumber},
        ``state``, ``artifactId`` (an existing version's), ``url`` and ``listing``
        {state, approvalStatus, revision} or ``listingNotPublished`` (why none was),
        ``marketplacePage`` (the app's human page), ``changelog`` {releaseSummary,
        releaseNotes} and ``captions`` [{file, caption}] (what is sent)."""
        out: dict[str, Any] = {
            "status": self.status,
            "hosting": self.hosting,
            "appSoftwareId": self.app_software_id,
            "buildNumber": self.build_number,
            "versionNumber": self.version_number,
        }
        if self.copied_from is not None:
            out["copiedFrom"] = {
                "buildNumber": self.copied_from.build_number,
                "versionNumber": self.copied_from.version_number,
            }
        if self.url is not None:
            out["state"] = self.state
            if self.artifact_id is not None:
                out["artifactId"] = self.artifact_id
            out["url"] = self.url
        if self.listing is not None:
            out["listing"] = {
                "state": self.listing.state,
                "approvalStatus": self.listing.approval_status,
                "revision": self.listing.revision,
            }
        elif self.listing_not_published is not None:
            out["listingNotPublished"] = self.listing_not_published
        if self.marketplace_page is not None:
            out["marketplacePage"] = self.marketplace_page
        if self.changelog is not None:
            out["changelog"] = dict(self.changelog)
        if self.captions:
            out["captions"] = [{"file": f, "caption": c} for f, c in self.captions]
        return out


@dataclass
class ReleaseResult:
    """The whole outcome of a run; mutated as the release run goes so that a failure at
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
    #: the ``release:`` section's outcome (None without one)
    release: ReleaseInfo | None = None

    @property
    def ok(self) -> bool:
        """True for ``published``, ``unchanged``, ``skipped``, ``awaiting-approval``,
        ``dry-run`` and ``checked``."""
        return self.status in (
            STATUS_PUBLISHED,
            STATUS_UNCHANGED,
            STATUS_SKIPPED,
            STATUS_AWAITING_APPROVAL,
            STATUS_DRY_RUN,
            STATUS_CHECKED,
        )

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
        info = self.release

        def text(value: Any) -> str:
            return "" if value is None else str(value)

        if info is None:
            return {"build-number": "", "state": "", "url": ""}
        return {
            "build-number": text(info.build_number) if info.exists else "",
            "state": text(info.state),
            "url": text(info.url),
        }

    def listing_outputs(self) -> dict[str, str]:
        """The listing of the app version: ``listing-state``
        (:meth:`ReleaseInfo.listing_state`; "" without a ``release:`` section) and
        ``listing-url`` (:meth:`ReleaseInfo.listing_url`)."""
        info = self.release
        if info is None:
            return {"listing-state": "", "listing-url": ""}
        return {"listing-state": info.listing_state(), "listing-url": info.listing_url()}

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
            "release": self.release.to_dict() if self.release else None,
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
