"""The release step over loopback: the client's app software, version and listing calls
against a running emulator (artifacts and images uploaded with the same client)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from release_publisher.errors import ApiError
from release_publisher.marketplace.client import MarketplaceClient
from release_publisher.marketplace.retry import RetryPolicy
from release_publisher.sandbox.server import SandboxServer, start_sandbox
from release_publisher.testing import build_plugin_jar, version_body, write_png

from ..unit.sandbox.versions.seeds import KEY, version_seeds
from .conftest import TOKEN, USER


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    with start_sandbox(
        data_dir=tmp_path / "data", user=USER, token=TOKEN, apps=[(KEY, ("server", "datacenter"))]
    ) as server:
        yield server


@pytest.fixture
def client(sandbox: SandboxServer) -> Iterator[MarketplaceClient]:
    with MarketplaceClient(
        sandbox.base_url, user=USER, token=TOKEN, retry=RetryPolicy(attempts=1)
    ) as mp:
        yield mp


def _software_id(client: MarketplaceClient, hosting: str) -> str:
    entries = client.get_app_software(KEY)
    return str(next(e["appSoftwareId"] for e in entries if e["hosting"] == hosting))


def test_a_release_from_artifact_to_public_listing(
    sandbox: SandboxServer, client: MarketplaceClient, tmp_path: Path
) -> None:
    entries = client.get_app_software(KEY)
    assert [e["hosting"] for e in entries] == ["server", "datacenter"]
    sid = _software_id(client, "datacenter")
    assert client.list_versions(sid) == []

    artifact, _ = client.upload_artifact(build_plugin_jar(tmp_path / "hello-1.4.2.jar"))
    created = client.create_version(sid, version_body(artifact.id))
    assert created["buildNumber"] == 1004002 and created["state"] == "active"
    href = created["_links"]["self"]["href"]
    assert href == f"/rest/3/app-software/{sid}/versions/1004002"
    assert client.get_version(sid, 1004002) == created
    assert client.list_versions(sid) == [created]

    shot = client.upload_image("screenshot", write_png(tmp_path / "shot.png", 640, 400))
    listing = client.publish_listing(
        sid,
        1004002,
        {"state": "PUBLIC", "revision": 1, "screenshots": [{"imageId": shot.id, "caption": "A"}]},
    )
    assert listing == {"state": "PUBLIC", "approvalStatus": "APPROVED", "revision": 1}
    assert client.get_listing(sid, 1004002)["revision"] == 1

    state = requests.get(f"{sandbox.base_url}/_sandbox/state", timeout=10).json()
    software = {s["hosting"]: s for s in state["apps"][0]["software"]}
    [stored] = software["datacenter"]["versions"]
    assert stored["listing"]["screenshots"] == [{"imageId": shot.id, "caption": "A"}]
    assert software["server"]["versions"] == []


def test_duplicate_and_invalid_versions_are_refused_with_their_fields(
    client: MarketplaceClient, tmp_path: Path
) -> None:
    sid = _software_id(client, "datacenter")
    artifact, _ = client.upload_artifact(build_plugin_jar(tmp_path / "hello.jar"))
    client.create_version(sid, version_body(artifact.id))

    with pytest.raises(ApiError) as dup:
        client.create_version(sid, version_body(artifact.id, build=1004003))
    assert dup.value.status == 409
    assert "versionNumber: version '1.4.2' already exists (build number 1004002)" in (
        dup.value.message
    )
    assert dup.value.hint is not None and "exists already" in dup.value.hint

    body = version_body(artifact.id, build=1004005, number="1.4.5")
    del body["compatibilities"]
    with pytest.raises(ApiError) as bad:
        client.create_version(sid, body)
    message = bad.value.message
    assert bad.value.status == 400
    assert "compatibilities: compatibilities is required for datacenter versions" in message
    assert "is version '1.4.2', but versionNumber is '1.4.5'" in message  # the JAR's version
    assert 'body sent: {"acceptedAgreements"' in message
    assert TOKEN not in message
    assert [v["buildNumber"] for v in client.list_versions(sid)] == [1004002]


def test_more_than_50_versions_are_read_across_pages(
    sandbox: SandboxServer, client: MarketplaceClient
) -> None:
    seeds = version_seeds(120, first_build=1000, compatibilities=False)
    resp = requests.post(
        f"{sandbox.base_url}/_sandbox/apps",
        json={"appKey": KEY, "versions": {"server": seeds}},
        timeout=10,
    )
    assert resp.status_code == 201, resp.text
    sid = _software_id(client, "server")
    versions = client.list_versions(sid)
    assert [v["buildNumber"] for v in versions] == list(range(1119, 999, -1))
    log = requests.get(f"{sandbox.base_url}/_sandbox/requests", timeout=10).json()["requests"]
    pages = [e for e in log if e["endpoint"] == "list_versions"]
    assert [e["status"] for e in pages] == [200, 200, 200]


def test_sandbox_cli_registers_apps_given_with_app(tmp_path: Path) -> None:
    ready = tmp_path / "url"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "release_publisher",
            "sandbox",
            "--app",
            f"{KEY}:server,datacenter",
            "--ready-file",
            str(ready),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + 20
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        base_url = ready.read_text().strip()
        resp = requests.get(
            f"{base_url}/rest/3/app-software/app-key/{KEY}",
            auth=("sandbox@example.com", "sandbox-token"),
            timeout=10,
        )
        assert resp.status_code == 200
        assert [e["hosting"] for e in resp.json()] == ["server", "datacenter"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert f"app: {KEY} (server, datacenter)" in (proc.stderr.read() if proc.stderr else "")
