"""The Marketplace REST API v3: response models, the client, streamed uploads, the
retry policy and error mapping.

Importing this package stays cheap: :mod:`.client` (which imports ``requests``) is
loaded only when :class:`MarketplaceClient`, :class:`Timeouts` or a parse function is
first used through this package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import Artifact, Media
from .retry import RetryPolicy, describe_retry_policy, parse_retry_after

if TYPE_CHECKING:
    from .client import (
        MarketplaceClient,
        ResponseShapeError,
        Timeouts,
        artifact_id_from_href,
        parse_artifact,
        parse_media,
    )

__all__ = [
    "Artifact",
    "MarketplaceClient",
    "Media",
    "ResponseShapeError",
    "RetryPolicy",
    "Timeouts",
    "artifact_id_from_href",
    "describe_retry_policy",
    "parse_artifact",
    "parse_media",
    "parse_retry_after",
]

_LAZY = {
    "MarketplaceClient",
    "ResponseShapeError",
    "Timeouts",
    "artifact_id_from_href",
    "parse_artifact",
    "parse_media",
}


def __getattr__(name: str) -> Any:
    """Load :mod:`.client` on first use of one of its names."""
    if name in _LAZY:
        from . import client

        return getattr(client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
