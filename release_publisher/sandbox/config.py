"""The sandbox's behaviour knobs (:class:`SandboxConfig`) and its public defaults."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..limits import (
    MAX_ARTIFACT_BYTES,
    MAX_IMAGE_BYTES,
    UPLOAD_BUDGET_BYTES,
    UPLOAD_BUDGET_WINDOW_SECONDS,
)
from .fetch import FetchLimits

DEFAULT_USER = "sandbox@example.com"
DEFAULT_TOKEN = "sandbox-token"  # noqa: S105 - the documented, public sandbox default
#: ``--image-sizes`` values: ``strict`` checks the known sizes per image type, ``off``
#: (the default) takes any size.
IMAGE_SIZE_MODES = ("off", "strict")


@dataclass(frozen=True)
class SandboxConfig:
    """Behaviour knobs. ``processing_delay``: seconds from upload until ``details``
    appears; ``upload_spacing``: minimum seconds between upload starts (Marketplace:
    10; sandbox default 0 so rehearsals are fast); ``budget_bytes`` per
    ``budget_window`` seconds (0 disables the budget); size limits in bytes. ``apps``:
    ``(app key, hostings)`` registered at start and after a reset (see
    :mod:`.versions.catalog`). Network conditions: ``latency`` seconds added to every
    API response; ``bandwidth`` bytes per second at which request bodies are read (0:
    as fast as they come). ``space_fetches``: whether a fetch counts as an upload for
    the spacing (default True; whether Marketplace spaces fetches is not known).
    Rehearsed limits (both off by default: Marketplace publishes neither):
    ``max_release_notes`` the longest ``changelog.releaseNotes`` a created version may
    have, characters (0: any length); ``image_sizes`` ``"strict"`` refuses a listing
    image of a type with a known size (:data:`~release_publisher.limits.IMAGE_DIMENSIONS`)
    in other dimensions, ``"off"`` takes any size."""

    user: str = DEFAULT_USER
    token: str = DEFAULT_TOKEN
    processing_delay: float = 0.0
    upload_spacing: float = 0.0
    budget_bytes: int = UPLOAD_BUDGET_BYTES
    budget_window: float = float(UPLOAD_BUDGET_WINDOW_SECONDS)
    max_artifact_bytes: int = MAX_ARTIFACT_BYTES
    max_image_bytes: int = MAX_IMAGE_BYTES
    fetch_limits: FetchLimits = field(default_factory=FetchLimits)
    apps: tuple[tuple[str, tuple[str, ...]], ...] = ()
    latency: float = 0.0
    bandwidth: int = 0
    space_fetches: bool = True
    max_release_notes: int = 0
    image_sizes: str = "off"

    def __repr__(self) -> str:
        return f"SandboxConfig(user={self.user!r}, token=<hidden>, ...)"
