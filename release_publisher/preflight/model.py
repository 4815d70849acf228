"""What pre-flight found out about the local files: the input of the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..config.model import ArtifactSpec, ImageSpec, ReleaseConfig


@dataclass(frozen=True)
class Descriptor:
    """App identity read from an artifact: ``key`` and ``version`` (None when the
    artifact does not carry one), ``name``, and ``source``: where it was read, e.g.
    ``"atlassian-plugin.xml"``, ``"META-INF/MANIFEST.MF"``,
    ``"hello.obr!/hello-1.0.jar!/atlassian-plugin.xml"`` or ``"descriptor JSON"``."""

    key: str | None
    version: str | None
    name: str | None = None
    source: str = ""


@dataclass(frozen=True)
class LocalArtifact:
    """A checked artifact. For ``source == "file"``: ``path`` (resolved), ``size`` in
    bytes, ``kind`` one of ``"jar" | "obr" | "jwb" | "connect"`` and the
    ``descriptor`` read from it. For ``source == "url"`` only ``spec`` is set."""

    spec: ArtifactSpec
    path: Path | None = None
    size: int | None = None
    kind: str | None = None
    descriptor: Descriptor | None = None

    @property
    def name(self) -> str:
        """The artifact's config name."""
        return self.spec.name


@dataclass(frozen=True)
class LocalImage:
    """A checked listing image: ``format`` one of ``"png" | "jpeg" | "gif" | "bmp"``;
    ``width``/``height`` in pixels (None if unreadable); ``size`` in bytes."""

    spec: ImageSpec
    path: Path
    size: int
    format: str
    width: int | None
    height: int | None

    @property
    def type(self) -> str:
        """The image type (``imageType`` path segment)."""
        return self.spec.type


@dataclass(frozen=True)
class Plan:
    """The config plus every checked file, in upload order, and warnings that do not
    stop the release (unknown image type, unusual dimensions)."""

    config: ReleaseConfig
    artifacts: tuple[LocalArtifact, ...]
    images: tuple[LocalImage, ...]
    warnings: tuple[str, ...] = field(default=())
