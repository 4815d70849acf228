"""Several problems are reported together in one error, first one first."""

from __future__ import annotations

from pathlib import Path

import pytest

from release_publisher.config import load_config
from release_publisher.errors import ConfigError

from .helpers import BASE, MINIMAL, arts, fail, write


def test_several_problems_are_listed_first_one_first(tmp_path: Path) -> None:
    text = arts("  - name: Bad\n    file: a.jar\n") + "images:\n  - type: Icon\n    file: i.png\n"
    err = fail(tmp_path, text)
    assert err.location is not None and err.location.field == "artifacts[0].name"
    assert "also:" in err.message and "images[0].type" in err.message


def test_several_cross_field_mistakes_are_reported_together(tmp_path: Path) -> None:
    err = fail(
        tmp_path,
        BASE + "release:\n  artifact: nope\n  hosting: server\n  listing: {screenshots: x}\n",
    )
    assert err.location is not None and err.location.line == 14
    assert "also:" in err.message and "release.listing.screenshots" in err.message


def test_early_sees_the_interpolated_data_before_the_schema_is_checked(tmp_path: Path) -> None:
    """publish starts hashing the artifacts from this hook: it must run before the
    (slower) schema check, on interpolated values, even for a config the schema refuses."""
    seen: list[object] = []
    bad = MINIMAL.replace("target/hello.jar", "target/${NAME}.jar") + "polling: {timeout: -1}\n"
    with pytest.raises(ConfigError, match=r"polling\.timeout"):
        load_config(write(tmp_path, bad), env={"NAME": "hello"}, early=seen.append)
    assert seen == [
        {
            "format": 1,
            "app": {"key": "com.example.hello", "version": "1.4.2"},
            "artifacts": [{"file": "target/hello.jar"}],
            "polling": {"timeout": -1},
        }
    ]
