"""The typed, validated release config (format 1). Built only by
:func:`release_publisher.config.load_config`; everything downstream reads these
objects, never raw YAML."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Location

DEFAULT_BASE_URL = "https://api.atlassian.com/marketplace"
DEFAULT_POLL_TIMEOUT = 300.0
DEFAULT_POLL_INTERVAL = 2.0
DEFAULT_UPLOAD_SPACING = 10.0
DEFAULT_ARTIFACT_NAME = "artifact"


@dataclass(frozen=True)
class ArtifactSpec:
    """One ``artifacts[]`` entry. Exactly one of ``file`` (a glob, relative to the
    config file's directory) and ``url`` (http/https, fetched by Marketplace) is set.
    ``sha512`` is 128 lowercase hex digits or None. ``expect`` maps ``details`` field
    names to the values Marketplace must report."""

    name: str
    file: str | None
    url: str | None
    sha512: str | None = None
    expect: dict[str, Any] = field(default_factory=dict)
    location: Location | None = None

    @property
    def source(self) -> str:
        """``"file"`` or ``"url"``."""
        return "file" if self.file is not None else "url"


@dataclass(frozen=True)
class ImageSpec:
    """One ``images[]`` entry: ``type`` is the imageType path segment of
    ``POST /rest/3/assets/images/{imageType}``; ``file`` a glob matching one or more
    files (uploaded in sorted order)."""

    type: str
    file: str
    location: Location | None = None


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
    locations: dict[str, Location] = field(default_factory=dict, compare=False)

    def where(self, field_path: str) -> Location:
        """The location of ``field_path`` (e.g. ``"app.version"``) in the config file,
        or a location naming only the file and field when unknown."""
        loc = self.locations.get(field_path)
        if loc is not None:
            return loc
        return Location(file=str(self.path), field=field_path)
