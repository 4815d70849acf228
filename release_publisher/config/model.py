"""The typed, validated release config (format 1). Built only by
:func:`release_publisher.config.load_config`; everything downstream reads these
objects, never raw YAML."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Location
from ..limits import MAX_NOTES_CHARS, MAX_SUMMARY_CHARS

DEFAULT_BASE_URL = "https://api.atlassian.com/marketplace"
DEFAULT_POLL_TIMEOUT = 300.0
DEFAULT_POLL_INTERVAL = 2.0
DEFAULT_UPLOAD_SPACING = 10.0
DEFAULT_ARTIFACT_NAME = "artifact"


#: How messages name the app version override: the command-line option (``--version``
#: is its alias) that the GitHub Action passes its ``version`` input to.
VERSION_OPTION = "--app-version/--version"
#: The example of it in hints, for the command line and the action.
VERSION_OPTION_EXAMPLE = "--app-version 1.4.2 (action input: version: 1.4.2)"


@dataclass(frozen=True)
class ArtifactSpec:
    """One ``artifacts[]`` entry. Exactly one of ``file`` (a glob, relative to the
    config file's directory) and ``url`` (http/https, fetched by Marketplace) is set.
    ``sha512`` is 128 lowercase hex digits or None. ``expect`` maps ``details`` field
    names to the values Marketplace must report. ``exclude`` (only with ``file``):
    globs, relative to the config file's directory like ``file``, of paths the
    ``file`` glob must not match (``target/*-sources.jar``)."""

    name: str
    file: str | None
    url: str | None
    sha512: str | None = None
    expect: dict[str, Any] = field(default_factory=dict)
    location: Location | None = None
    exclude: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        """``"file"`` or ``"url"``."""
        return "file" if self.file is not None else "url"


@dataclass(frozen=True)
class ImageSpec:
    """One ``images[]`` entry: ``type`` is the imageType path segment of
    ``POST /rest/3/assets/images/{imageType}``; ``file`` a glob matching one or more
    files (uploaded in sorted order). ``on_size_mismatch`` is ``"fail"`` (default) or
    ``"warn"``: what pre-flight does with dimensions other than the known size of
    ``type``."""

    type: str
    file: str
    location: Location | None = None
    on_size_mismatch: str = "fail"


@dataclass(frozen=True)
class Compatibility:
    """One ``release.compatibility[]`` entry: the host product (``parent-software-id``,
    e.g. ``"jira"``) and the range of its build numbers the version supports."""

    parent_software_id: str
    min_build: int
    max_build: int


@dataclass(frozen=True)
class ProductRange:
    """One ``release.compatibility[]`` entry in the product-version form: ``product``
    (a parent software ID, e.g. ``"jira"``), ``min_version`` (e.g. ``"9.12.0"``; None:
    the min build of the range copied from the previous version) and ``max_version``
    (e.g. ``"10.3.1"`` or ``"latest"``). ``index`` is the entry's position in the list
    (for ``release.compatibility[index]`` in messages). Resolved to a
    :class:`Compatibility` by :mod:`release_publisher.release.compatibility`."""

    index: int
    product: str
    min_version: str | None
    max_version: str


#: ``app-listing.images`` keys -> the app listing's ``images`` field they set
APP_LISTING_IMAGE_FIELDS = {
    "icon": "iconFileId",
    "banner": "bannerFileId",
    "title-logo": "titleLogoFileId",
}


@dataclass(frozen=True)
class AppListingSpec:
    """The optional ``app-listing:`` section: ``developer_id`` (whose developer space
    lists the app) and ``images``, ``(key, image type)`` pairs in config order, ``key``
    one of :data:`APP_LISTING_IMAGE_FIELDS` and ``image type`` an ``images[]`` type."""

    developer_id: str
    images: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ListingSpec:
    """``release.listing``: ``state`` ``"public" | "private"``; ``screenshots`` names the
    image type whose uploads become the listing's screenshots (None: no screenshots)."""

    state: str = "public"
    screenshots: str | None = None
    #: ``captions``: screenshot file name -> caption (others: a ``NAME.txt`` file beside
    #: the image, else the file name without extension)
    captions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class VersionSpec:
    """The optional ``release:`` section: turn an uploaded artifact into an app version
    (``POST /rest/3/app-software/{appSoftwareId}/versions``) and publish its listing.

    ``artifact`` names the ``artifacts[]`` entry that becomes the version; ``hosting``
    is ``"cloud" | "server" | "datacenter"``; ``build_number`` an int or ``"auto"``;
    ``copy_from_previous`` copies compatibility, payment model and license type from the
    latest version of the same major line. ``compatibility``/``payment_model``/
    ``license_type`` override what was copied (None: not stated). ``notes_file`` (a path
    relative to the config file, its section for this version is used) and
    ``notes_text`` are mutually exclusive. ``agreements`` are agreement URLs sent as
    ``acceptedAgreements``. ``stated`` holds the config keys actually written in the
    file (``"beta"``, ``"supported"``, ``"listing.state"``...), so a plan can tell a
    stated value from a default. ``summary_max_chars`` / ``notes_max_chars`` are the
    longest summary and notes (characters, ``release.max-length``); with
    ``notes_truncate`` longer notes are cut at a line boundary and end with a line
    linking to ``notes_link`` (see :mod:`release_publisher.config.notes_limit`).
    """

    artifact: str
    hosting: str
    build_number: int | str = "auto"
    copy_from_previous: bool = True
    compatibility: tuple[Compatibility, ...] | None = None
    payment_model: str | None = None
    license_type: str | None = None
    beta: bool = False
    supported: bool = True
    summary: str | None = None
    notes_file: str | None = None
    notes_text: str | None = None
    agreements: tuple[str, ...] = ()
    listing: ListingSpec | None = None
    stated: frozenset[str] = field(default=frozenset(), compare=False)
    #: ``release.if-exists``: ``"fail"`` (default) refuses a version number that exists
    #: with another artifact; ``"skip"`` reports it as already there and sends nothing
    if_exists: str = "fail"
    #: ``release.copy-from``: the version number to copy from instead of the newest
    #: public version of the major line (None: that rule)
    copy_from: str | None = None
    summary_max_chars: int = MAX_SUMMARY_CHARS
    notes_max_chars: int = MAX_NOTES_CHARS
    notes_truncate: bool = False
    notes_link: str | None = None
    #: the product-version entries of ``compatibility`` (resolved before any upload)
    product_compatibility: tuple[ProductRange, ...] = ()


@dataclass(frozen=True)
class ReleaseConfig:
    """The whole release config.

    ``path`` is the config file; ``base_dir`` the directory globs are resolved
    against (the config file's directory). Times are seconds.
    ``version_source`` says where ``version`` came from (``"config"`` or
    ``"--version"``), for messages.
    """

    path: Path
    base_dir: Path
    app_key: str
    version: str
    artifacts: tuple[ArtifactSpec, ...]
    images: tuple[ImageSpec, ...] = ()
    base_url: str = DEFAULT_BASE_URL
    poll_timeout: float = DEFAULT_POLL_TIMEOUT
    poll_interval: float = DEFAULT_POLL_INTERVAL
    upload_spacing: float = DEFAULT_UPLOAD_SPACING
    version_source: str = "config"
    release: VersionSpec | None = None
    locations: dict[str, Location] = field(default_factory=dict, compare=False)
    #: the ``app-listing:`` section (None without one)
    app_listing: AppListingSpec | None = None

    def where(self, field_path: str) -> Location:
        """The location of ``field_path`` (e.g. ``"app.version"``) in the config file,
        or a location naming only the file and field when unknown."""
        loc = self.locations.get(field_path)
        if loc is not None:
            return loc
        return Location(file=str(self.path), field=field_path)
