"""Response models of the Marketplace REST API v3 (see docs: UploadedSoftwareArtifact,
RemoteFetchedSoftwareArtifact, MediaV3Response). Unknown fields are ignored; a missing
required field raises :class:`~release_publisher.errors.ApiError` showing what came
back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import VerificationError


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

    def reported_sha512(self) -> str | None:
        """The SHA-512 hex Marketplace reports in ``fileInfo.checksum``; None when it
        reports none (absent or empty). Raises
        :class:`~release_publisher.errors.VerificationError` when it reports a checksum
        that is not a SHA-512 (``md5:...``, a short or malformed value): such an
        artifact cannot be verified, and must not pass as merely unverified."""
        if self.checksum:
            return self.checksum
        info = self.raw.get("fileInfo")
        value = info.get("checksum") if isinstance(info, dict) else None
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        raise VerificationError(
            f"Marketplace reports the checksum {str(value)[:80]!r} for artifact {self.id}, "
            "which is not a SHA-512 (sha512:<128 hex digits>): the upload cannot be verified",
            hint="check the artifact in Marketplace; if this persists, Marketplace's "
            "checksum format has changed: report it",
        )


@dataclass(frozen=True)
class Media:
    """A ``MediaV3Response``: ``id`` (opaque string), ``mime_type``, ``name``, ``size``
    in bytes."""

    id: str
    mime_type: str | None = None
    name: str | None = None
    size: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
