"""Fixtures: a sandbox app on a temp dir driven by a FakeClock, a werkzeug test Client
(no sockets), a plugin JAR."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client, TestResponse

from release_publisher.clock import FakeClock
from release_publisher.sandbox.app import create_app
from release_publisher.sandbox.config import DEFAULT_TOKEN, DEFAULT_USER, SandboxConfig
from release_publisher.sandbox.fetch import FetchLimits
from release_publisher.sandbox.store import HashingWriter, Store
from release_publisher.sandbox.wsgi import SandboxApp
from release_publisher.testing import build_plugin_jar

AUTH = (DEFAULT_USER, DEFAULT_TOKEN)


class FakeFetcher:
    """Serves ``pages`` (uri -> bytes, or an Exception to raise); records each call."""

    def __init__(self) -> None:
        self.pages: dict[str, bytes | Exception] = {}
        self.calls: list[str] = []

    def __call__(self, uri: str, sink: HashingWriter, limits: FetchLimits) -> None:
        self.calls.append(uri)
        page = self.pages[uri]
        if isinstance(page, Exception):
            raise page
        sink.write(page)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fetcher() -> FakeFetcher:
    return FakeFetcher()


MakeApp = Callable[..., SandboxApp]


@pytest.fixture
def make_app(tmp_path: Path, clock: FakeClock, fetcher: FakeFetcher) -> MakeApp:
    def make(**config: Any) -> SandboxApp:
        return create_app(
            Store(tmp_path / "data"),
            config=SandboxConfig(**config),
            clock=clock,
            fetcher=fetcher,
        )

    return make


@pytest.fixture
def app(make_app: MakeApp) -> SandboxApp:
    return make_app()


@pytest.fixture
def client(app: SandboxApp) -> Client:
    return Client(app)


@pytest.fixture
def jar(tmp_path: Path) -> bytes:
    """A plugin JAR of app com.example.hello, version 1.4.2."""
    return build_plugin_jar(
        tmp_path / "src" / "hello.jar", "com.example.hello", "1.4.2"
    ).read_bytes()


def upload(
    client: Client,
    data: bytes,
    name: str = "hello-1.4.2.jar",
    *,
    path: str = "/rest/3/artifacts",
    auth: tuple[str, str] | None = AUTH,
    field: str = "file",
) -> TestResponse:
    """POST ``data`` as the multipart part ``field`` with file name ``name``."""
    return client.post(path, data={field: (io.BytesIO(data), name)}, auth=auth)


def js(resp: TestResponse) -> Any:
    """The response's JSON body (fails the test when it is not JSON)."""
    data = resp.get_json(silent=True)
    assert data is not None, f"not JSON: {resp.get_data(as_text=True)[:200]!r}"
    return data


def error_of(body: object) -> tuple[str, str]:
    """``(code, message)`` of an error body (checks its one shape)."""
    assert isinstance(body, dict)
    assert body["errors"][0]["code"] == body["code"]
    return body["code"], body["message"]
