"""Glob, file-type and size rules for artifacts (run through run_preflight)."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path

import pytest

from release_publisher.errors import EXIT_FILE, Location
from release_publisher.limits import human_size
from release_publisher.preflight.files import exclusion_pattern, no_match_error
from release_publisher.testing import build_plugin_jar, write_png

from .helpers import make_config, plan_of, preflight_error


def test_one_jar_matches(tmp_path: Path) -> None:
    jar = build_plugin_jar(tmp_path / "target" / "hello-1.4.2.jar")
    plan = plan_of(make_config(tmp_path, "target/*.jar"))
    (artifact,) = plan.artifacts
    assert artifact.path == jar
    assert artifact.size == jar.stat().st_size
    assert artifact.kind == "jar"
    assert plan.warnings == ()


def test_absolute_pattern_is_used_as_is(tmp_path: Path) -> None:
    jar = build_plugin_jar(tmp_path / "elsewhere" / "hello.jar")
    base = tmp_path / "project"
    base.mkdir()
    plan = plan_of(make_config(base, str(tmp_path / "elsewhere" / "*.jar")))
    assert plan.artifacts[0].path == jar


def test_brackets_in_base_dir_are_literal(tmp_path: Path) -> None:
    base = tmp_path / "proj[1]"
    jar = build_plugin_jar(base / "target" / "hello.jar")
    assert plan_of(make_config(base, "target/*.jar")).artifacts[0].path == jar


def test_empty_target_says_so(tmp_path: Path) -> None:
    (tmp_path / "target").mkdir()
    err = preflight_error(make_config(tmp_path, "target/*.jar"))
    assert err.exit_code == EXIT_FILE
    assert "'target/*.jar'" in err.message
    assert f"searched {tmp_path / 'target'}, which is empty" in err.message
    assert err.hint is not None and str(tmp_path) in err.hint
    assert err.location == Location(file=str(tmp_path / "release.yml"), field="artifacts[0].file")
    assert "artifact 'a0'" in err.message


def test_no_match_lists_what_is_there(tmp_path: Path) -> None:
    target = tmp_path / "target"
    (target / "classes").mkdir(parents=True)
    for i in range(12):
        (target / f"f{i:02}.txt").write_text("x")
    err = preflight_error(make_config(tmp_path, "target/*.jar"))
    assert "13 entries" in err.message
    assert "classes/" in err.message
    assert "f00.txt" in err.message
    assert "and 3 more" in err.message
    assert "f11.txt" not in err.message


def test_missing_directory_says_it_does_not_exist(tmp_path: Path) -> None:
    err = preflight_error(make_config(tmp_path, "build/libs/*.jar"))
    assert f"the directory {tmp_path / 'build' / 'libs'} does not exist" in err.message
    assert f"{tmp_path / 'build'} is missing" in err.message


def test_jar_beside_sources_jar_is_ambiguous_and_hint_names_the_real_one(
    tmp_path: Path,
) -> None:
    build_plugin_jar(tmp_path / "target" / "hello-1.4.2.jar")
    build_plugin_jar(tmp_path / "target" / "hello-1.4.2-sources.jar")
    build_plugin_jar(tmp_path / "target" / "hello-1.4.2-javadoc.jar")
    err = preflight_error(make_config(tmp_path, "target/*.jar"))
    assert "'target/*.jar' matches 3 paths" in err.message
    for name in ("hello-1.4.2.jar", "hello-1.4.2-sources.jar", "hello-1.4.2-javadoc.jar"):
        assert f"target/{name}" in err.message
    assert err.hint is not None
    assert "by-products" in err.hint
    assert "file: target/hello-*[0-9].jar" in err.hint  # no hard-coded version


def test_two_real_jars_get_a_generic_hint(tmp_path: Path) -> None:
    build_plugin_jar(tmp_path / "target" / "a.jar")
    build_plugin_jar(tmp_path / "target" / "b.jar")
    err = preflight_error(make_config(tmp_path, "target/*.jar"))
    assert "target/a.jar, target/b.jar" in err.message
    assert err.hint is not None and "narrow the pattern" in err.hint


def test_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "target" / "hello.jar").mkdir(parents=True)
    err = preflight_error(make_config(tmp_path, "target/hello.jar"))
    assert "target/hello.jar is a directory, not a file" in err.message


def test_dangling_symlink_is_refused(tmp_path: Path) -> None:
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "hello.jar").symlink_to(tmp_path / "gone.jar")
    err = preflight_error(make_config(tmp_path, "target/*.jar"))
    assert "is a symbolic link to" in err.message
    assert "gone.jar, which does not exist" in err.message


def test_symlink_to_a_jar_is_followed(tmp_path: Path) -> None:
    real = build_plugin_jar(tmp_path / "dist" / "hello.jar")
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "hello.jar").symlink_to(real)
    assert plan_of(make_config(tmp_path, "target/*.jar")).artifacts[0].kind == "jar"


def test_zero_byte_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "hello.jar").write_bytes(b"")
    err = preflight_error(make_config(tmp_path, "target/*.jar"))
    assert "target/hello.jar is empty (0 bytes)" in err.message


def test_fifo_is_refused_without_opening_it(tmp_path: Path) -> None:
    (tmp_path / "target").mkdir()
    os.mkfifo(tmp_path / "target" / "hello.jar")
    # Opening a FIFO for reading would block forever: finishing proves it is not read.
    err = preflight_error(make_config(tmp_path, "target/*.jar"))
    assert "is a FIFO (named pipe), not a regular file" in err.message


def test_device_is_refused(tmp_path: Path) -> None:
    err = preflight_error(make_config(tmp_path, "/dev/null"))
    assert "/dev/null is a character device" in err.message


def test_sparse_300_mb_file_is_refused_by_stat(tmp_path: Path) -> None:
    big = tmp_path / "target" / "hello.jar"
    big.parent.mkdir()
    with big.open("wb") as f:
        f.truncate(300 * 1024 * 1024)
    err = preflight_error(make_config(tmp_path, "target/*.jar"))
    assert human_size(300 * 1024 * 1024) in err.message
    assert "at most 262.1 MB (250.0 MiB)" in err.message


def test_text_renamed_jar_is_not_a_zip(tmp_path: Path) -> None:
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "hello.jar").write_text("this is not a jar at all\n")
    err = preflight_error(make_config(tmp_path, "target/hello.jar"))
    assert (
        "target/hello.jar is not a ZIP archive"
        " (first bytes are not PK\\x03\\x04), so not a JAR" in err.message
    )
    assert "this is not" not in err.message  # never the file's content


def test_git_lfs_pointer_gets_a_pointed_hint(tmp_path: Path) -> None:
    (tmp_path / "hello.jar").write_text(
        "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n"
    )
    err = preflight_error(make_config(tmp_path, "hello.jar"))
    assert "Git LFS pointer" in err.message
    assert err.hint is not None and "lfs: true" in err.hint


def test_binary_junk_shows_no_bytes(tmp_path: Path) -> None:
    (tmp_path / "hello.obr").write_bytes(bytes(range(200, 232)))
    err = preflight_error(make_config(tmp_path, "hello.obr"))
    assert "is not a ZIP archive (first bytes are not PK\\x03\\x04), so not an OBR" in err.message
    assert "c8 c9" not in err.message and "\\xc8" not in err.message


def test_json_named_jar_is_refused(tmp_path: Path) -> None:
    (tmp_path / "hello.jar").write_text('{"key": "com.example.hello"}')
    err = preflight_error(make_config(tmp_path, "hello.jar"))
    assert "named .jar but is not a zip file: it is JSON" in err.message


def test_zip_named_json_is_refused(tmp_path: Path) -> None:
    build_plugin_jar(tmp_path / "atlassian-connect.json")
    err = preflight_error(make_config(tmp_path, "atlassian-connect.json"))
    assert "is named .json but is a zip file" in err.message


def test_jar_with_odd_extension_is_accepted_with_a_warning(tmp_path: Path) -> None:
    build_plugin_jar(tmp_path / "hello.zip")
    plan = plan_of(make_config(tmp_path, "hello.zip"))
    assert plan.artifacts[0].kind == "jar"
    assert any("not named .jar, .obr or .jwb" in w for w in plan.warnings)


def test_corrupt_zip_is_a_clear_error(tmp_path: Path) -> None:
    data = build_plugin_jar(tmp_path / "good.jar").read_bytes()
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "hello.jar").write_bytes(data[: len(data) // 2])
    err = preflight_error(make_config(tmp_path, "target/*.jar"))
    assert "target/hello.jar is not a valid zip file" in err.message
    assert err.hint is not None and "corrupt or truncated" in err.hint


def test_url_artifact_is_passed_through_without_checks(tmp_path: Path) -> None:
    plan = plan_of(make_config(tmp_path, urls=("https://example.com/hello.jar",)))
    (artifact,) = plan.artifacts
    assert artifact.spec.url == "https://example.com/hello.jar"
    assert (artifact.path, artifact.kind, artifact.descriptor) == (None, None, None)


def test_first_failing_artifact_is_reported_with_its_index(tmp_path: Path) -> None:
    build_plugin_jar(tmp_path / "ok.jar")
    err = preflight_error(make_config(tmp_path, "ok.jar", "missing/*.jar"))
    assert err.location is not None and err.location.field == "artifacts[1].file"
    assert "artifact 'a1'" in err.message


def test_same_file_twice_warns(tmp_path: Path) -> None:
    build_plugin_jar(tmp_path / "hello.jar")
    plan = plan_of(make_config(tmp_path, "hello.jar", "*.jar"))
    assert any("uploaded twice" in w for w in plan.warnings)


@pytest.mark.parametrize("pattern", ["target/**/*.jar", "target/*/*.jar"])
def test_nested_globs(tmp_path: Path, pattern: str) -> None:
    jar = build_plugin_jar(tmp_path / "target" / "sub" / "hello.jar")
    assert plan_of(make_config(tmp_path, pattern)).artifacts[0].path == jar


def test_the_exclusion_pattern_keeps_the_app_and_drops_its_by_products() -> None:
    pattern = exclusion_pattern("target/app-2.3.0.jar")
    assert pattern == "target/app-*[0-9].jar"
    assert fnmatch.fnmatch("target/app-2.4.0.jar", pattern)
    assert not fnmatch.fnmatch("target/app-2.3.0-sources.jar", pattern)
    assert exclusion_pattern("x/app-1.jar") == "x/app-*[0-9].jar"
    assert exclusion_pattern("app.jar") == "app.jar"


def test_a_directory_listing_of_one_entry_reads_entry(tmp_path: Path) -> None:
    build_plugin_jar(tmp_path / "target" / "other.txt")
    err = preflight_error(make_config(tmp_path, "target/*.jar"))
    assert "holds 1 entry:" in err.message


def test_a_missing_image_directory_is_named_in_the_hint(tmp_path: Path) -> None:
    err = no_match_error("marketing/shots/*.png", tmp_path, what="listing image")
    assert f"create {tmp_path / 'marketing'}" in (err.hint or "")
    assert "build the" not in (err.hint or "")


def test_a_git_ref_as_version_is_told_to_pass_the_tag_name(tmp_path: Path) -> None:
    build_plugin_jar(tmp_path / "target" / "hello-1.4.2.jar")
    config = make_config(
        tmp_path, "target/hello-1.4.2.jar", version="refs/tags/v1.4.2", version_source="--version"
    )
    err = preflight_error(config)
    assert "github.ref_name" in (err.hint or "")


def test_a_file_named_with_brackets_is_not_matched_by_its_own_name(tmp_path: Path) -> None:
    """`hello [1.4.2].jar` as a glob is 'hello ' + one of 1.4.2 + '.jar' (issue 15.14)."""
    build_plugin_jar(tmp_path / "hello [1.4.2].jar")
    err = preflight_error(make_config(tmp_path, "hello [1.4.2].jar"))
    assert err.exit_code == 3
    assert "does not match the file named exactly 'hello [1.4.2].jar', which exists" in (
        err.message
    )
    assert "[[]" in (err.hint or "")
    assert "'hello [[]1.4.2].jar'" in (err.hint or "")
    # the escaped pattern the hint gives does match it
    plan = plan_of(make_config(tmp_path, "hello [[]1.4.2].jar"))
    assert plan.artifacts[0].path == tmp_path / "hello [1.4.2].jar"


def test_a_bracket_glob_matching_another_file_than_the_literal_one_is_refused(
    tmp_path: Path,
) -> None:
    build_plugin_jar(tmp_path / "hello [1.4.2].jar")
    build_plugin_jar(tmp_path / "hello 1.jar")  # what the glob reading matches
    err = preflight_error(make_config(tmp_path, "hello [1.4.2].jar"))
    assert "named exactly 'hello [1.4.2].jar'" in err.message


def test_a_bracket_glob_matching_nothing_mentions_escaping(tmp_path: Path) -> None:
    (tmp_path / "target").mkdir()
    err = preflight_error(make_config(tmp_path, "target/hello [1.4.2].jar"))
    assert "no file matches" in err.message
    assert "write [[] for a literal [" in (err.hint or "")
    assert "which exists" not in err.message


def test_a_listing_image_named_with_brackets(tmp_path: Path) -> None:
    write_png(tmp_path / "icon [v2].png")
    err = preflight_error(make_config(tmp_path, images=(("icon", "icon [v2].png"),)))
    assert "named exactly 'icon [v2].png'" in err.message
    assert "'icon [[]v2].png'" in (err.hint or "")
