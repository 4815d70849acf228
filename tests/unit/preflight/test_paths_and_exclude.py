"""One path rule for every output (relative to the config file's directory, as the
config wrote it) and ``exclude:`` lists of an artifact (issue 12, section 3)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from release_publisher.errors import FileCheckError
from release_publisher.preflight.files import (
    byproduct_glob,
    display_path,
    find_one,
    matched_by,
)
from release_publisher.preflight.prefetch import likely_artifact_files
from release_publisher.release.render import describe_plan, preflight_lines
from release_publisher.release.run import new_result
from release_publisher.testing import build_plugin_jar, write_png

from .helpers import APP_KEY, VERSION, make_config, plan_of, preflight_error


def test_a_match_is_shown_as_the_config_wrote_its_pattern(tmp_path: Path) -> None:
    base = tmp_path / "release"
    assert display_path(base / "target" / "a.jar", base, "target/*.jar") == "target/a.jar"
    # outside the config's directory: still relative, never resolved to an absolute path
    assert display_path(base / ".." / "dist" / "a.jar", base, "../dist/*.jar") == "../dist/a.jar"
    # an absolute pattern stays absolute, even below the config's directory
    absolute = str(base / "target" / "*.jar")
    assert display_path(base / "target" / "a.jar", base, absolute) == str(base / "target/a.jar")


def test_matched_by_names_a_glob_but_not_a_literal_path() -> None:
    assert matched_by("target/app-*[0-9].jar") == ", matched by 'target/app-*[0-9].jar'"
    assert matched_by("target/app.jar") == ""
    assert matched_by(None) == ""


def test_a_file_outside_the_config_directory_is_shown_relative_everywhere(
    tmp_path: Path,
) -> None:
    base = tmp_path / "release"
    base.mkdir()
    build_plugin_jar(tmp_path / "target" / f"hello-{VERSION}.jar", APP_KEY, VERSION)
    write_png(tmp_path / "shots" / "a.png", 640, 400)
    config = make_config(base, "../target/hello-*.jar", images=(("screenshot", "../shots/*.png"),))
    plan = plan_of(config)
    lines = preflight_lines(plan)
    assert lines[0].startswith("Artifact a0: ../target/hello-1.4.2.jar (") and lines[0].endswith(
        "JAR, matched by '../target/hello-*.jar'): key com.example.hello, version 1.4.2"
    )
    assert lines[1].startswith("Listing image screenshot: ../shots/a.png (640x400 PNG, ")
    assert any(line.startswith("  a0: ../target/hello-1.4.2.jar (") for line in describe_plan(plan))
    result = new_result(plan)
    assert result.artifacts[0].file == "../target/hello-1.4.2.jar"
    assert result.images[0].file == "../shots/a.png"
    assert str(tmp_path) not in "\n".join(lines)


def test_exclude_leaves_out_what_its_globs_match(tmp_path: Path) -> None:
    target = tmp_path / "target"
    for name in ("app-2.3.0.jar", "app-2.3.0-sources.jar", "app-2.3.0-javadoc.jar"):
        build_plugin_jar(target / name, APP_KEY, VERSION)
    path, size = find_one(
        "target/app-*.jar",
        tmp_path,
        exclude=("target/*-sources.jar", "target/*-javadoc.jar", "target/nothing-*.jar"),
    )
    assert path == target / "app-2.3.0.jar"
    assert size == path.stat().st_size


def test_exclude_is_read_from_the_config_entry(tmp_path: Path) -> None:
    build_plugin_jar(tmp_path / "target" / f"hello-{VERSION}.jar", APP_KEY, VERSION)
    build_plugin_jar(tmp_path / "target" / f"hello-{VERSION}-sources.jar", APP_KEY, VERSION)
    config = make_config(tmp_path, "target/hello-*.jar")
    err = preflight_error(config)
    assert err.hint is not None
    # both ways out, neither with a hard-coded version
    assert "file: target/hello-*[0-9].jar" in err.hint
    assert "exclude: [target/*-sources.jar]" in err.hint
    spec = dataclasses.replace(config.artifacts[0], exclude=("target/*-sources.jar",))
    plan = plan_of(dataclasses.replace(config, artifacts=(spec,)))
    assert plan.artifacts[0].path == tmp_path / "target" / f"hello-{VERSION}.jar"


def test_a_glob_whose_every_match_is_excluded_says_so(tmp_path: Path) -> None:
    build_plugin_jar(tmp_path / "target" / f"hello-{VERSION}-sources.jar", APP_KEY, VERSION)
    config = make_config(tmp_path, "target/hello-*.jar")
    spec = dataclasses.replace(config.artifacts[0], exclude=("target/*-sources.jar",))
    err = preflight_error(dataclasses.replace(config, artifacts=(spec,)))
    assert "matches only excluded paths: target/hello-1.4.2-sources.jar" in err.message
    assert "exclude: target/*-sources.jar" in err.message


def test_a_hint_after_exclude_keeps_the_given_globs_and_adds_the_rest(tmp_path: Path) -> None:
    target = tmp_path / "target"
    for name in ("app-2.3.0.jar", "app-2.3.0-sources.jar", "app-2.3.0.jar.asc"):
        build_plugin_jar(target / name, APP_KEY, VERSION)
    config = make_config(tmp_path, "target/app-*")
    spec = dataclasses.replace(config.artifacts[0], exclude=("target/*-sources.jar",))
    err = preflight_error(dataclasses.replace(config, artifacts=(spec,)))
    assert "matches 2 paths after exclude: target/*-sources.jar" in err.message
    assert err.hint is not None and "exclude: [target/*-sources.jar, target/*.asc]" in err.hint


def test_byproduct_globs_keep_the_directory_and_drop_the_version() -> None:
    assert byproduct_glob("target/app-2.3.0-sources.jar") == "target/*-sources.jar"
    assert byproduct_glob("app-2.3.0-test-sources.jar") == "*-test-sources.jar"
    assert byproduct_glob("target/original-app-2.3.0.jar") == "target/original-*.jar"
    assert byproduct_glob("target/app-2.3.0.jar.asc") == "target/*.asc"
    assert byproduct_glob("target/app-2.3.0.jar") == "target/app-2.3.0.jar"


def test_the_checksum_prefetch_applies_the_exclude_list(tmp_path: Path) -> None:
    target = tmp_path / "target"
    build_plugin_jar(target / "app-2.3.0.jar", APP_KEY, VERSION)
    build_plugin_jar(target / "app-2.3.0-sources.jar", APP_KEY, VERSION)
    entry: dict[str, object] = {"name": "server", "file": "target/app-*.jar"}
    assert likely_artifact_files({"artifacts": [entry]}, tmp_path) == []  # two matches
    entry["exclude"] = ["target/*-sources.jar"]
    assert likely_artifact_files({"artifacts": [entry]}, tmp_path) == [target / "app-2.3.0.jar"]


def test_exclude_globs_are_shown_escaped_and_an_overlong_pattern_is_a_file_error(
    tmp_path: Path,
) -> None:
    """The exclude list is config text like the pattern: escaped to one line in
    messages; a pattern the file system cannot look up is exit 3, not a crash."""
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "a.jar").write_bytes(b"a")
    (tmp_path / "target" / "b.jar").write_bytes(b"b")
    with pytest.raises(FileCheckError) as several:
        find_one("target/*.jar", tmp_path, exclude=["target/\x1b[31mX\u202e"])
    assert "\x1b" not in several.value.message and "\u202e" not in several.value.message
    assert "\\x1b[31mX\\u202e" in several.value.message
    with pytest.raises(FileCheckError, match="cannot look for"):
        find_one("a/" * 3000 + "x.jar", tmp_path)


def test_the_line_of_a_match_names_the_exclude_globs_too() -> None:
    """After adding the exclude: the hint offered, check shows that it took effect."""
    from release_publisher.preflight.files import matched_by

    assert matched_by("target/*.jar", ["target/*-sources.jar"]) == (
        ", matched by 'target/*.jar' excluding target/*-sources.jar"
    )
    assert matched_by("target/app.jar", ["x"]) == ""
