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
     "images": [{"type", "file", "id", "width", "height", "size", "reused", "sha512"}],
     "error": null | {"kind", "message", "hint", "exit_code", "artifact",
              "location": null | {"file", "line", "col", "field"}},
     "release": null | {"status", "hosting", "appSoftwareId", "buildNumber",
                        "versionNumber", "copiedFrom", "state", "artifactId", "url",
                        "listing", "listingNotPublished", "marketplacePage",
                        "changelog", "captions"}
                        (ReleaseInfo.to_dict: which keys appear when),
     "timings": {"<phase>": seconds},
     "appListing": {"status", "developerId", "productId", "state", "approvalStatus",
                    "revision", "changes"}   (only with an app-listing: section),
     "tool": {"name", "version"}, "base_url": str}
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .stop_signals import STOP_SIGNALS

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
    #: SHA-512 hex of the file uploaded as ``id`` (how ``--resume`` knows it unchanged)
    sha512: str | None = None


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
    """The version's listing (``listing`` in the JSON): ``state``, ``approvalStatus``,
    ``revision`` exactly as Marketplace reported them (the answer of ``POST
    .../versions/{buildNumber}/listing``, or of its ``GET`` when the listing existed).

    Added when known: ``url`` (``url``: the listing's API URL), ``asked_state``
    (``askedState``: the state this run asked for, as sent: ``PUBLIC``/``PRIVATE``),
    ``awaiting_approval`` (``awaitingApproval``: True when Marketplace reports
    ``SUBMITTED``: published, awaiting Atlassian's approval), ``found`` (``found``: True
    when the listing existed already and this run published none)."""

    state: Any = None
    approval_status: Any = None
    revision: Any = None
    url: str | None = None
    asked_state: str | None = None
    awaiting_approval: bool = False
    found: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``state``, ``approvalStatus``, ``revision``, then ``url``,
        ``askedState``, ``awaitingApproval`` and ``found`` when set."""
        out: dict[str, Any] = {
            "state": self.state,
            "approvalStatus": self.approval_status,
            "revision": self.revision,
        }
        if self.url is not None:
            out["url"] = self.url
        if self.asked_state is not None:
            out["askedState"] = self.asked_state
        if self.awaiting_approval:
            out["awaitingApproval"] = True
        if self.found:
            out["found"] = True
        return out


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
    #: product-version compatibility ranges resolved to build numbers (``ResolvedRange.to_dict``)
    compatibility: list[dict[str, Any]] = field(default_factory=list)

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
        when it waits for approval, ``not-published`` when none was (a listing found
        by GET, ``found``, was not published by this run)."""
        if self.listing is None or self.listing.found:
            return "not-published"
        if self.awaiting_approval:
            return STATUS_AWAITING_APPROVAL
        state = self.listing.state
        # Marketplace reports PUBLIC/PRIVATE; the output speaks the config's lowercase words
        return state.lower() if isinstance(state, str) and state else "unknown"

    def listing_url(self) -> str:
        """The ``listing-url`` output: the API URL of the published listing (the
        version's URL + ``/listing``), "" when none was published."""
        if self.listing is None or self.listing.found or not self.url:
            return ""
        return self.url.rstrip("/") + "/listing"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``status``, ``hosting``, ``appSoftwareId``, ``buildNumber``,
        ``versionNumber``, then when known ``copiedFrom`` {buildNumber, versionNumber},
        ``state``, ``artifactId`` (an existing version's), ``url`` and ``listing``
        {state, approvalStatus, revision, ...} (see :class:`ListingInfo`) or
        ``listingNotPublished`` (why none was), ``marketplacePage`` (the app's human
        page), ``changelog`` {releaseSummary, releaseNotes} and ``captions`` [{file,
        caption}] (what is sent)."""
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
            out["listing"] = self.listing.to_dict()
        elif self.listing_not_published is not None:
            out["listingNotPublished"] = self.listing_not_published
        if self.marketplace_page is not None:
            out["marketplacePage"] = self.marketplace_page
        if self.changelog is not None:
            out["changelog"] = dict(self.changelog)
        if self.captions:
            out["captions"] = [{"file": f, "caption": c} for f, c in self.captions]
        if self.compatibility:
            out["compatibility"] = list(self.compatibility)
        return out


#: ``AppListingInfo.status`` values
APP_LISTING_PLANNED = "planned"
APP_LISTING_UPDATED = "updated"
APP_LISTING_UNCHANGED = "unchanged"
APP_LISTING_FAILED = "failed"


@dataclass
class AppListingInfo:
    """The ``app-listing:`` section's outcome (``appListing`` in the result JSON, only
    with that section).

    ``status``: ``planned`` | ``updated`` | ``unchanged`` (the images were already
    set) | ``failed``; ``product_id``, ``state``, ``approval_status`` and
    ``revision`` (as read when planned; after an update, the stored revision) are
    Marketplace's; ``changes`` maps each app listing field changed (or to change)
    to ``{"old", "new"}`` (``images.iconFileId``: old ID or None -> new ID)."""

    status: str
    developer_id: str
    product_id: str | None = None
    state: str | None = None
    approval_status: str | None = None
    revision: Any = None
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``status``, ``developerId``, ``productId``, ``state``,
        ``approvalStatus``, ``revision``, ``changes``."""
        return {
            "status": self.status,
            "developerId": self.developer_id,
            "productId": self.product_id,
            "state": self.state,
            "approvalStatus": self.approval_status,
            "revision": self.revision,
            "changes": dict(self.changes),
        }


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
    #: the ``app-listing:`` section's outcome (None without one)
    app_listing: AppListingInfo | None = None

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

    def app_listing_outputs(self) -> dict[str, str]:
        """``app-listing-updated``: ``"true"`` when this run changed the app listing,
        ``"false"`` when it did not (unchanged, planned, failed), ``""`` without an
        ``app-listing:`` section."""
        info = self.app_listing
        if info is None:
            return {"app-listing-updated": ""}
        return {"app-listing-updated": str(info.status == APP_LISTING_UPDATED).lower()}

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form documented in this module (``appListing`` only with an
        ``app-listing:`` section)."""
        out = self._to_dict()
        if self.app_listing is not None:
            out["appListing"] = self.app_listing.to_dict()
        return out

    def _to_dict(self) -> dict[str, Any]:
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
        """Write the JSON atomically: :func:`write_json` of :meth:`to_dict`.

        Raises OSError when the directory is missing or not writable, or ``path`` is a
        directory.
        """
        write_text(path, self.to_json())


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as indented JSON to ``path`` atomically (see :func:`write_text`).
    Raises OSError."""
    write_text(path, json.dumps(data, indent=2, sort_keys=False) + "\n")


#: signals held back while a result file is written (the temp file is always removed)
_HELD_SIGNALS = set(STOP_SIGNALS)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT/SIGTERM/SIGHUP/SIGQUIT back in this thread for the block: a stop signal
    delivered mid-write (or while the temp file is removed) is handled just after."""
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS)
    except (AttributeError, OSError, ValueError):  # no pthread_sigmask: write unguarded
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically (temp file ``.result-*.json`` in
    the same directory, then rename), so a reader never sees half a file even if the
    run is killed mid-write. Stop signals are held back during the write, and the
    temp file is removed on every failure: none survives a run.

    The file is readable by everyone (mode 0644), like most files a
    tool writes: in a Docker action it is written as root and a later step of the
    job, running as the runner's user, must be able to read it.

    Only a regular file is ever replaced: a ``path`` that is a device (``/dev/null``,
    ``/dev/stdout``), a FIFO or a socket is refused, never renamed over (as root that
    would replace the device for the whole machine); a symbolic link is followed and
    its target replaced. Use ``--result-json -`` for stdout.

    Raises OSError when the directory is missing or not writable, or ``path`` is a
    directory or not a regular file.
    """
    path = Path(path)
    try:
        mode = path.stat().st_mode  # follows symbolic links
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
        raise OSError(
            errno.EINVAL,
            f"{kind} (a device, pipe or directory is never replaced)",
            str(path),
        )
    path = Path(os.path.realpath(path))
    with _signals_held():
        fd, tmp = tempfile.mkstemp(prefix=".result-", suffix=".json", dir=path.parent or ".")
        try:
            os.fchmod(fd, 0o644)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            Path(tmp).replace(path)
        except BaseException:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()
            raise
