"""Shared pieces for the Marketplace client unit tests (requests-mock, FakeClock)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from urllib3.exceptions import NewConnectionError, ProtocolError, ReadTimeoutError

from release_publisher.clock import FakeClock
from release_publisher.marketplace.client import MarketplaceClient
from release_publisher.marketplace.retry import RetryPolicy
from release_publisher.marketplace.transport import Timeouts
from release_publisher.secrets import Credentials

BASE = "https://mp.example.test/marketplace"
USER = "dev@example.com"
TOKEN = "ATATT3xFfGF0-s3cr3t-t0ken-VALUE-1234567890"
CREDS = Credentials(USER, TOKEN)
BASIC = base64.b64encode(f"{USER}:{TOKEN}".encode()).decode()
SHA = "ab" * 64


def artifact_json(artifact_id: str = "a1b2", **extra: Any) -> dict[str, Any]:
    """An UploadedSoftwareArtifact body as Marketplace sends it (plus ``extra``)."""
    body: dict[str, Any] = {
        "fileInfo": {"logicalFileName": "hello.jar", "size": 10, "checksum": f"sha512:{SHA}"},
        "details": {"key": "com.example.hello", "version": "1.4.2"},
        "_links": {
            "self": {"href": f"/rest/3/artifacts/{artifact_id}"},
            "binary": {"href": f"/rest/3/artifacts/{artifact_id}/binary"},
        },
    }
    body.update(extra)
    return body


def make_client(
    clock: FakeClock | None = None,
    *,
    base: str = BASE,
    attempts: int = 4,
    deadline: float | None = 600.0,
    log: list[str] | None = None,
    credentials: Credentials = CREDS,
) -> MarketplaceClient:
    """A client on ``base`` with a FakeClock and default policy (1, 2, 4 s waits)."""
    lines = log if log is not None else []
    return MarketplaceClient(
        base,
        credentials=credentials,
        timeouts=Timeouts(connect=5.0, read=30.0),
        retry=RetryPolicy(attempts=attempts, base=1.0, cap=30.0, deadline=deadline),
        clock=clock or FakeClock(),
        log=lines.append,
        block_size=64 * 1024,
    )


def consume(request: Any, limit: int | None = None) -> bytes:
    """Read the streamed request body as the socket would (all of it, or ``limit``
    bytes: a connection that broke off mid-body)."""
    data = bytearray()
    for chunk in request.body:
        data += chunk
        if limit is not None and len(data) >= limit:
            break
    return bytes(data)


def reset_error() -> requests.ConnectionError:
    """What requests raises when the peer resets the connection."""
    return requests.ConnectionError(
        ProtocolError("Connection aborted.", ConnectionResetError(104, "Connection reset by peer"))
    )


def read_timeout() -> requests.ReadTimeout:
    """What requests raises when no response arrives within the read timeout."""
    return requests.ReadTimeout(ReadTimeoutError(None, BASE, "Read timed out. (read timeout=30)"))  # type: ignore[arg-type]


def refused() -> requests.ConnectionError:
    """What requests raises when the connection is refused."""
    inner = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] refused")  # type: ignore[arg-type]
    inner.__context__ = ConnectionRefusedError(111, "Connection refused")
    return requests.ConnectionError(inner)


Responder = Callable[[Any, Any], Any]


def write(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` and return it."""
    path.write_bytes(data)
    return path
