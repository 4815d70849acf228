"""Response models of the Marketplace REST API v3 (see docs: UploadedSoftwareArtifact,
RemoteFetchedSoftwareArtifact, MediaV3Response). Unknown fields are ignored; a missing
required field raises :class:`~release_publisher.errors.ApiError` showing what came
back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Artifact:
    """An artifact as Marketplace reports it.

    ``id`` is the last path segment of ``_links.self.href``; ``checksum`` the hex part
    of ``fileInfo.checksum`` (``"sha512:<hex>"``) lower-cased, or None; ``size`` bytes;
    ``details`` the raw ``details`` object or None when absent; ``binary_url`` and
    ``remote_url`` from ``_links``; ``raw`` the whole JSON body.
    """

    id: str
    self_url: str
    file_name: str | None = None
    size: int | None = None
    checksum: str | None = None
    details: dict[str, Any] | None = None
    binary_url: str | None = None
    remote_url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def key(self) -> str | None:
        """``details.key`` (None when not yet there)."""
        value = (self.details or {}).get("key")
        return value if isinstance(value, str) and value else None

    @property
    def version(self) -> str | None:
        """``details.version`` (None when absent or empty)."""
        value = (self.details or {}).get("version")
        return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class Media:
    """A ``MediaV3Response``: ``id`` (opaque string), ``mime_type``, ``name``, ``size``
    in bytes."""

    id: str
    mime_type: str | None = None
    name: str | None = None
    size: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
