"""Store persistence and reported file names."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.test import Client

from release_publisher.clock import FakeClock
from release_publisher.sandbox.app import create_app
from release_publisher.sandbox.store import Store, logical_name
from release_publisher.testing import (
    build_plugin_jar,
)

from .conftest import AUTH, js, upload


@pytest.mark.parametrize(
    ("given", "reported"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\build\\hello.jar", "hello.jar"),
        ("..", "artifact"),
        ("", "artifact"),
        (None, "artifact"),
        ("a\x00b.jar", "ab.jar"),
    ],
)
def test_logical_name(given: str | None, reported: str) -> None:
    assert logical_name(given, "artifact") == reported


def test_a_data_dir_survives_a_restart(tmp_path: Path, clock: FakeClock) -> None:
    jar = build_plugin_jar(tmp_path / "a.jar").read_bytes()
    first = create_app(Store(tmp_path / "data"), clock=clock)
    created = js(upload(Client(first), jar))
    second = Client(create_app(Store(tmp_path / "data"), clock=clock))
    assert js(second.get(created["_links"]["self"]["href"], auth=AUTH)) == created
