"""The result JSON: its file mode, and the keys of the ``release`` object."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from release_publisher.clock import FakeClock
from release_publisher.result import (
    CopiedFrom,
    ListingInfo,
    ReleaseInfo,
    ReleaseResult,
    write_text,
)

from .fakes import FakeApi, make_plan, publish_run


def test_result_file_is_readable_by_later_steps(tmp_path: Path) -> None:
    """In a Docker action the file is written as root and read by the runner's user."""
    clock = FakeClock()
    result, _, _ = publish_run(make_plan(tmp_path), FakeApi(clock), clock)
    path = tmp_path / "result.json"
    result.write(path)
    assert path.stat().st_mode & 0o777 == 0o644


def test_release_keys_are_those_of_each_stage_of_the_version() -> None:
    """The JSON keys of ``release`` are what a reader of the result file relies on."""
    info = ReleaseInfo(status="planning", hosting="datacenter", version_number="1.4.2")
    result = ReleaseResult(app_key="k", version="1.4.2", release=info)
    assert result.to_dict()["release"] == {
        "status": "planning",
        "hosting": "datacenter",
        "appSoftwareId": None,
        "buildNumber": None,
        "versionNumber": "1.4.2",
    }
    info.copied_from = CopiedFrom(build_number=100, version_number="1.4.1")
    info.status, info.build_number, info.state, info.url = "created", 101, "public", "https://x/v"
    info.listing = ListingInfo(state="public", approval_status="approved", revision=2)
    assert list(result.to_dict()["release"]) == [
        "status",
        "hosting",
        "appSoftwareId",
        "buildNumber",
        "versionNumber",
        "copiedFrom",
        "state",
        "url",
        "listing",
    ]
    assert result.to_dict()["release"]["listing"] == {
        "state": "public",
        "approvalStatus": "approved",
        "revision": 2,
    }
    assert result.version_outputs() == {
        "build-number": "101",
        "state": "public",
        "url": "https://x/v",
    }
    existing = ReleaseInfo(
        status="already-published",
        hosting="server",
        version_number="1.4.2",
        build_number=7,
        state=None,
        artifact_id="a-1",
        url="https://x/7",
    )
    assert list(existing.to_dict())[-3:] == ["state", "artifactId", "url"]


def test_a_device_or_fifo_is_never_replaced_and_a_link_is_followed(tmp_path: Path) -> None:
    """As root, renaming over `--result-json /dev/null` would replace the device for
    the whole machine: only a regular file is replaced; a link's target is written."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        write_text(fifo, "{}\n")
    assert fifo.is_fifo()
    target = tmp_path / "target.json"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(target.name)
    write_text(link, "{}\n")
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8") == "{}\n"
