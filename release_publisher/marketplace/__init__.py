"""The Marketplace REST API v3, one room per job:

* :mod:`.client`: :class:`~.client.MarketplaceClient`, the endpoints;
* :mod:`.transport`: the ``requests`` session, redirects and URL safety, transport
  failures (:class:`~.transport.Timeouts`);
* :mod:`.connections`: the ``requests`` adapter (send timeouts, TLS, the credential
  guard), the total deadline of an answer, and which origin a URL connects to;
* :mod:`.retry`: the retry policy and the executor that applies it;
* :mod:`.errors`: error answers turned into actionable errors;
* :mod:`.models`: response models and the parsing of answers;
* :mod:`.upload`: streamed multipart bodies and SHA-512.

Importing this package stays cheap (no ``requests``): import the client from
:mod:`release_publisher.marketplace.client` where the network is needed.
"""

from __future__ import annotations

from .models import (
    Artifact,
    Media,
    ResponseShapeError,
    artifact_id_from_href,
    parse_artifact,
    parse_media,
)
from .retry import RetryPolicy, describe_retry_policy, parse_retry_after

__all__ = [
    "Artifact",
    "Media",
    "ResponseShapeError",
    "RetryPolicy",
    "artifact_id_from_href",
    "describe_retry_policy",
    "parse_artifact",
    "parse_media",
    "parse_retry_after",
]
