"""The transport as the client uses it (requests-mock): redirects within and across
origins, POST redirects, redirect loops, the CA bundle."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from release_publisher.errors import ApiError, UsageError
from release_publisher.marketplace.client import MarketplaceClient
from release_publisher.marketplace.connections import origin, show_origin
from release_publisher.marketplace.retry import Retryable
from release_publisher.marketplace.transport import Timeouts, classify_failure
from release_publisher.marketplace.upload import BytesBody

from .helpers import BASE, BASIC, CREDS, artifact_json, make_client, reset_error

ART = f"{BASE}/rest/3/artifacts"


def _jar(tmp_path: Path, size: int = 200_000) -> Path:
    path = tmp_path / "hello-1.4.2.jar"
    path.write_bytes(os.urandom(size))
    return path


def test_post_redirect_is_refused_naming_both_urls(requests_mock: Any, tmp_path: Path) -> None:
    requests_mock.post(
        ART, status_code=301, headers={"Location": "https://other.example/rest/3/artifacts?sig=1"}
    )
    with pytest.raises(ApiError) as info:
        make_client().upload_artifact(_jar(tmp_path, 10))
    message = info.value.message
    assert f"{ART}" in message and "https://other.example/rest/3/artifacts" in message
    assert "sig=1" not in message
    assert requests_mock.call_count == 1


def test_get_same_origin_redirect_is_followed_with_auth(requests_mock: Any) -> None:
    requests_mock.get(f"{ART}/x", status_code=302, headers={"Location": "/marketplace/v2/x"})
    requests_mock.get(f"{BASE}/v2/x", json=artifact_json("x"))
    assert make_client().get_artifact("x").id == "x"
    assert [r.url for r in requests_mock.request_history] == [f"{ART}/x", f"{BASE}/v2/x"]
    assert requests_mock.last_request.headers["Authorization"] == f"Basic {BASIC}"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/rest/3/artifacts/x",
        "http://mp.example.test/marketplace/rest/3/artifacts/x",  # scheme differs
        "https://mp.example.test:8443/marketplace/rest/3/artifacts/x",  # port differs
    ],
)
def test_get_cross_origin_redirect_is_refused_and_nothing_sent_there(
    requests_mock: Any, target: str
) -> None:
    requests_mock.get(f"{ART}/x", status_code=307, headers={"Location": target})
    other = requests_mock.get(target, json=artifact_json("x"))
    with pytest.raises(ApiError) as info:
        make_client().get_artifact("x")
    assert "another origin" in info.value.message
    assert "https://mp.example.test:443" in info.value.message
    assert not other.called
    assert requests_mock.call_count == 1


def test_redirect_loop_stops(requests_mock: Any) -> None:
    requests_mock.get(f"{ART}/x", status_code=302, headers={"Location": f"{ART}/x"})
    with pytest.raises(ApiError, match="more than 5 redirects"):
        make_client().get_artifact("x")
    assert requests_mock.call_count == 6


def test_missing_ca_bundle_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        MarketplaceClient(BASE, credentials=CREDS, ca_bundle=str(tmp_path / "none.pem"))


def test_unreadable_ca_bundle_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate\n")
    with pytest.raises(UsageError, match="cannot load CA bundle"):
        MarketplaceClient(BASE, credentials=CREDS, ca_bundle=str(bad))


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://MP.example.test/marketplace", "https://mp.example.test:443"),
        ("http://127.0.0.1:8080/x?q=1", "http://127.0.0.1:8080"),
        ("https://[::1]:8443/", "https://[::1]:8443"),
    ],
)
def test_origins_default_the_port_and_print_without_path_or_query(url: str, shown: str) -> None:
    assert show_origin(url) == shown
    assert origin(url) == origin(shown)


def test_an_invalid_port_never_matches_an_origin() -> None:
    assert origin("https://mp.example.test:99999/x")[2] == -1


def test_a_reset_while_the_body_is_sent_is_retryable() -> None:
    body = BytesBody(b"{}", "application/json")
    body.started = True  # handed to the socket in part: nothing can have been stored
    failure = classify_failure(
        reset_error(),
        method="POST",
        url=f"{BASE}/rest/3/artifacts/fetch",
        endpoint="POST /rest/3/artifacts/fetch",
        body=body,
        status=None,
        timeouts=Timeouts(),
        redact=lambda text: text,
    )
    assert isinstance(failure, Retryable)
    assert failure.reason == "connection reset while sending body"
    assert "POST /rest/3/artifacts/fetch to mp.example.test" in failure.error.message
