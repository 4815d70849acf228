"""Issue 15: once a POST's whole body was sent, a reset or close before the status
line means it may have been stored: never sent again, for every POST of the API;
a body that was NOT fully sent is still retried (requests-mock, FakeClock)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from release_publisher.clock import FakeClock
from release_publisher.errors import EXIT_API, TransportError
from release_publisher.marketplace.client import MarketplaceClient

from .helpers import BASE, artifact_json, consume, make_client, reset_error

SOFTWARE = f"{BASE}/rest/3/app-software/s1/versions"
CALLS: dict[str, tuple[str, Callable[[MarketplaceClient, Path], Any]]] = {
    "artifact": (f"{BASE}/rest/3/artifacts", lambda c, p: c.upload_artifact(p)),
    "fetch": (
        f"{BASE}/rest/3/artifacts/fetch",
        lambda c, p: c.fetch_artifact("https://dl.example.test/hello.jar"),
    ),
    "image": (f"{BASE}/rest/3/assets/images/icon", lambda c, p: c.upload_image("icon", p)),
    "version": (SOFTWARE, lambda c, p: c.create_version("s1", {"buildNumber": 1})),
    "listing": (
        f"{SOFTWARE}/1004002/listing",
        lambda c, p: c.publish_listing("s1", 1004002, {"state": "public"}),
    ),
}


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "hello-1.4.2.jar"
    path.write_bytes(os.urandom(100_000))
    return path


def _read_all_then_reset(request: Any, context: Any) -> str:
    consume(request)
    raise reset_error()


@pytest.mark.parametrize("call", sorted(CALLS))
def test_a_reset_after_the_whole_body_is_never_repeated(
    requests_mock: Any, tmp_path: Path, call: str
) -> None:
    url, run = CALLS[call]
    requests_mock.post(url, text=_read_all_then_reset)
    clock = FakeClock()
    with pytest.raises(TransportError) as info:
        run(make_client(clock), _file(tmp_path))
    assert requests_mock.call_count == 1
    assert clock.sleeps == []
    error = info.value
    assert error.exit_code == EXIT_API
    assert "may have been stored" in error.message
    assert "closed before any response" in error.message
    assert error.may_have_taken_effect
    assert error.hint
    if call in ("version", "listing"):
        assert "GET /rest/3/app-software/s1/versions" in error.hint
    elif call in ("artifact", "image"):
        assert "upload budget" in error.hint


def test_the_hint_counts_the_bytes_sent_against_the_upload_budget(
    requests_mock: Any, tmp_path: Path
) -> None:
    requests_mock.post(f"{BASE}/rest/3/artifacts", text=_read_all_then_reset)
    path = _file(tmp_path)
    with pytest.raises(TransportError) as info:
        make_client().upload_artifact(path)
    sent = int(info.value.message.split("whole body (", 1)[1].split(" bytes", 1)[0])
    assert sent > path.stat().st_size  # the file plus the multipart framing
    assert f"this try sent {sent} bytes" in (info.value.hint or "")


@pytest.mark.parametrize("call", ["artifact", "image", "version"])
def test_a_reset_while_the_body_is_sent_is_still_retried(
    requests_mock: Any, tmp_path: Path, call: str
) -> None:
    url, run = CALLS[call]
    calls = {"n": 0}

    def respond(request: Any, context: Any) -> str:
        calls["n"] += 1
        if calls["n"] == 1:
            consume(request, 10)
            raise reset_error()
        consume(request)
        context.status_code = 201
        context.headers["Content-Type"] = "application/json"
        if call == "image":
            return '{"id": "img-1", "_links": {"self": {"href": "/rest/3/assets/img-1"}}}'
        if call == "version":
            return '{"buildNumber": 1}'
        return json.dumps(artifact_json("ok-1"))

    requests_mock.post(url, text=respond)
    run(make_client(), _file(tmp_path))
    assert requests_mock.call_count == 2
