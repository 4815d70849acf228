"""Several problems are reported together in one error, first one first."""

from __future__ import annotations

from pathlib import Path

import pytest

from release_publisher.config import load_config, peek_config_data
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


def test_peek_reads_the_interpolated_data_even_of_a_config_the_schema_refuses(
    tmp_path: Path,
) -> None:
    """publish starts hashing the artifacts from this best-effort read, before the
    (slower) schema check: interpolated values, any shape, never an error."""
    bad = MINIMAL.replace("target/hello.jar", "target/${NAME}.jar") + "polling: {timeout: -1}\n"
    path = write(tmp_path, bad)
    assert peek_config_data(path, env={"NAME": "hello"}) == {
        "format": 1,
        "app": {"key": "com.example.hello", "version": "1.4.2"},
        "artifacts": [{"file": "target/hello.jar"}],
        "polling": {"timeout": -1},
    }
    with pytest.raises(ConfigError, match=r"polling\.timeout"):
        load_config(path, env={"NAME": "hello"})
    # what the real load reports as an error, the peek answers None for
    assert peek_config_data(path, env={}) is None  # unset ${NAME}
    assert peek_config_data(write(tmp_path, "a: [", "broken.yml"), env={}) is None
    assert peek_config_data(tmp_path / "missing.yml", env={}) is None
    assert peek_config_data(tmp_path, env={}) is None  # a directory
