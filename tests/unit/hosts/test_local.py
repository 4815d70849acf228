"""The plain terminal adapter: a phase is a heading line in the log; no log commands,
no output files."""

from __future__ import annotations

import io
import logging

import pytest

from release_publisher.hosts.local import LocalHost
from release_publisher.result import ReleaseResult


def test_local_host_folds_a_phase_as_a_heading_line_and_writes_no_files(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stream = io.StringIO()
    host = LocalHost({}, stream=stream)
    with (
        caplog.at_level(logging.INFO, logger="release_publisher"),
        host.group("Upload artifact server"),
    ):
        pass
    assert [r.getMessage() for r in caplog.records] == ["== Upload artifact server"]
    assert (
        host.publish(ReleaseResult(app_key="com.example.app", version="1.0.0"), result_file=None)
        == []
    )
    assert stream.getvalue() == ""
