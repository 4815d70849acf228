"""The early guess of the artifact files (hashing starts before the config is
validated): pre-flight's matcher, one match per entry, never an error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from release_publisher.preflight.prefetch import likely_artifact_files


def test_literal_and_single_glob_matches_are_guessed_in_config_order(tmp_path: Path) -> None:
    (tmp_path / "target").mkdir()
    jar = tmp_path / "target" / "hello-1.4.2.jar"
    obr = tmp_path / "target" / "hello-1.4.2.obr"
    jar.write_bytes(b"j")
    obr.write_bytes(b"o")
    data = {"artifacts": [{"file": "target/*.obr"}, {"file": "target/hello-1.4.2.jar"}]}
    assert likely_artifact_files(data, tmp_path) == [obr, jar]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"artifacts": "target/app.jar"},
        {"artifacts": [None, 3, "x", {"file": 7}, {"file": ""}, {"url": "https://x"}]},
        {"artifacts": [{"file": "target/*.jar"}]},  # two matches: pre-flight says which
        {"artifacts": [{"file": "**/*.jar"}]},  # may walk a large tree: left to pre-flight
        {"artifacts": [{"file": "missing/*.jar"}]},
    ],
)
def test_anything_else_is_left_to_preflight(tmp_path: Path, data: dict[str, Any]) -> None:
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "a.jar").write_bytes(b"a")
    (tmp_path / "target" / "b.jar").write_bytes(b"b")
    assert likely_artifact_files(data, tmp_path) == []
