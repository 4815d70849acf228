"""Helpers and fixtures of the sandbox versions tests (seeding, IDs, error paths)."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.test import Client, TestResponse

from release_publisher.testing import (
    build_plugin_jar,
    png_bytes,
    version_body,
)

from ..conftest import AUTH, js, upload
from .seeds import KEY

SW = "/rest/3/app-software"


def seed(client: Client, body: object) -> TestResponse:
    return client.post("/_sandbox/apps", json=body)


def software_id(client: Client, hosting: str = "datacenter", key: str = KEY) -> str:
    entries = js(client.get(f"{SW}/app-key/{key}", auth=AUTH))
    return str(next(e["appSoftwareId"] for e in entries if e["hosting"] == hosting))


def jar_id(client: Client, tmp_path: Path, version: str = "1.4.2", key: str = KEY) -> str:
    data = build_plugin_jar(tmp_path / f"{key}-{version}.jar", key, version).read_bytes()
    href = js(upload(client, data))["_links"]["self"]["href"]
    return str(href.rsplit("/", 1)[1])


def image_id(client: Client) -> str:
    resp = upload(client, png_bytes(32, 32), "shot.png", path="/rest/3/assets/images/screenshot")
    return str(js(resp)["id"])


def paths(resp: TestResponse) -> set[str]:
    return {e["path"] for e in js(resp)["errors"]}


@pytest.fixture
def sid(client: Client) -> str:
    assert seed(client, {"appKey": KEY, "hostings": ["datacenter", "server"]}).status_code == 201
    return software_id(client)


def created_version(client: Client, sid: str, tmp_path: Path) -> str:
    body = version_body(jar_id(client, tmp_path))
    resp = client.post(f"{SW}/{sid}/versions", json=body, auth=AUTH)
    return str(js(resp)["_links"]["self"]["href"])
