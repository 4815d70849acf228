"""The app catalog keeps apps, versions and listings across a restart."""

from __future__ import annotations

from pathlib import Path

from werkzeug.test import Client

from release_publisher.clock import FakeClock
from release_publisher.sandbox.app import create_app
from release_publisher.sandbox.config import SandboxConfig
from release_publisher.sandbox.store import Store

from ..conftest import AUTH, js
from .conftest import created_version, seed, software_id
from .seeds import KEY


def test_apps_and_versions_survive_a_restart(tmp_path: Path, clock: FakeClock) -> None:
    first = Client(create_app(Store(tmp_path / "data"), clock=clock))
    seed(first, {"appKey": KEY})
    sid = software_id(first)
    href = created_version(first, sid, tmp_path)
    first.post(f"{href}/listing", json={"state": "public"}, auth=AUTH)
    second = Client(
        create_app(
            Store(tmp_path / "data"), clock=clock, config=SandboxConfig(apps=((KEY, ("server",)),))
        )
    )
    assert software_id(second) == sid  # a configured app that exists keeps its IDs
    assert js(second.get(href, auth=AUTH)) == js(first.get(href, auth=AUTH))
    assert js(second.get(f"{href}/listing", auth=AUTH))["revision"] == 1
    assert software_id(second, "server") != sid
