"""Checks on the node tree before the data is built: ``format: 1`` first."""

from __future__ import annotations

from pathlib import Path

from .helpers import MINIMAL, fail


def test_format_is_checked_before_other_fields(tmp_path: Path) -> None:
    err = fail(tmp_path, MINIMAL.replace("format: 1", "format: 2").replace('"1.4.2"', "1.10"))
    assert err.location is not None and err.location.field == "format"
    assert "this release-publisher reads format 1" in err.message
