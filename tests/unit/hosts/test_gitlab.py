"""GitLab adapter: the dotenv report read back with GitLab's rules, and log sections."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from release_publisher.hosts.gitlab import (
    MAX_DOTENV_BYTES,
    MAX_DOTENV_VARIABLES,
    GitLabHost,
    env_name,
    write_dotenv_report,
)
from release_publisher.result import ArtifactResult, ImageResult, ReleaseResult
from release_publisher.secrets import Credentials

from .conftest import CHECKSUM, TOKEN, USER
from .runner_files import parse_gitlab_dotenv


def make_host(tmp_path: Path, **extra: str) -> tuple[GitLabHost, io.StringIO]:
    env = {"GITLAB_CI": "true", "CI_PROJECT_DIR": str(tmp_path), **extra}
    stream = io.StringIO()
    return GitLabHost(env, stream=stream, now=lambda: 1_700_000_000.9), stream


def report(tmp_path: Path, name: str = "release-publisher.env") -> dict[str, str]:
    return parse_gitlab_dotenv((tmp_path / name).read_bytes())


def test_dotenv_report_for_a_published_release(tmp_path: Path, published: ReleaseResult) -> None:
    host, _ = make_host(tmp_path)
    result_file = tmp_path / "out" / "result.json"
    result_file.parent.mkdir()
    result_file.write_text("{}")

    assert host.publish(published, result_file=result_file) == []

    assert report(tmp_path) == {
        "MARKETPLACE_STATUS": "published",
        "MARKETPLACE_ARTIFACT_ID": "art-111",
        "MARKETPLACE_RESULT_FILE": "out/result.json",
        "MARKETPLACE_ARTIFACT_ID_SERVER": "art-111",
        "MARKETPLACE_ARTIFACT_ID_DATA_CENTER": "art-222",
        "MARKETPLACE_IMAGE_IDS_ICON": "img-1",
        "MARKETPLACE_IMAGE_IDS_SCREENSHOT": "img-2,img-3",
        "MARKETPLACE_CHECKSUM_SERVER": CHECKSUM,
        "MARKETPLACE_CHECKSUM_DATA_CENTER": "cd" * 64,
    }


def test_failure_keeps_what_finished_and_leaves_out_the_unknown(
    tmp_path: Path, failed: ReleaseResult
) -> None:
    host, _ = make_host(tmp_path)
    host.publish(failed, result_file=None)
    assert report(tmp_path) == {
        "MARKETPLACE_STATUS": "failed",
        "MARKETPLACE_ARTIFACT_ID": "art-111",
        "MARKETPLACE_ARTIFACT_ID_SERVER": "art-111",
        "MARKETPLACE_CHECKSUM_SERVER": CHECKSUM,
    }


def test_file_rules_no_blank_lines_comments_or_quotes(
    tmp_path: Path, published: ReleaseResult
) -> None:
    host, _ = make_host(tmp_path)
    host.publish(published, result_file=None)
    raw = (tmp_path / "release-publisher.env").read_text()
    assert raw.endswith("\n")
    for line in raw.splitlines():
        assert line and not line.startswith("#")
        name, _, value = line.partition("=")
        assert name.isidentifier() and name.upper() == name
        assert '"' not in value and "'" not in value


def test_a_rerun_replaces_the_report(tmp_path: Path, published: ReleaseResult) -> None:
    host, _ = make_host(tmp_path)
    (tmp_path / "release-publisher.env").write_text("OLD=1\n")
    host.publish(published, result_file=None)
    assert "OLD" not in report(tmp_path)


def test_values_with_spaces_are_kept_bad_values_left_out_with_warnings(tmp_path: Path) -> None:
    result = ReleaseResult(app_key="a", version="1", status="published")
    result.artifacts = [
        ArtifactResult(name="spaced", source="file", id="id with spaces"),
        ArtifactResult(name="multi", source="file", id="line1\nline2"),
        ArtifactResult(name="dq", source="file", id='say "hi"'),
        ArtifactResult(name="sq", source="file", id="it's"),
        ArtifactResult(name="ctl", source="file", id="a\x1bb"),
    ]
    host, _ = make_host(tmp_path)

    warnings = host.publish(result, result_file=None)

    values = report(tmp_path)
    assert values["MARKETPLACE_ARTIFACT_ID_SPACED"] == "id with spaces"
    assert values["MARKETPLACE_ARTIFACT_ID"] == "id with spaces"
    for name in ("MULTI", "DQ", "SQ", "CTL"):
        assert f"MARKETPLACE_ARTIFACT_ID_{name}" not in values
        assert any(f"MARKETPLACE_ARTIFACT_ID_{name} left out" in w for w in warnings)


def test_many_variables_stay_within_gitlabs_limits(tmp_path: Path) -> None:
    result = ReleaseResult(app_key="a", version="1", status="published")
    result.artifacts = [
        ArtifactResult(name=f"artifact-{n}", source="file", id=f"id-{n}", checksum=CHECKSUM)
        for n in range(30)
    ]
    result.images = [ImageResult(type=f"type{n}", file="x.png", id="i" * 200) for n in range(30)]
    host, _ = make_host(tmp_path)

    warnings = host.publish(result, result_file=None)

    data = (tmp_path / "release-publisher.env").read_bytes()
    assert len(data) <= MAX_DOTENV_BYTES
    values = parse_gitlab_dotenv(data)  # GitLab would accept it
    assert len(values) == MAX_DOTENV_VARIABLES
    assert values["MARKETPLACE_STATUS"] == "published"
    assert values["MARKETPLACE_ARTIFACT_ID"] == "id-0"
    assert warnings and all("left out" in w for w in warnings)


def test_names_are_upper_cased_with_underscores() -> None:
    assert env_name("data-center.v2") == "DATA_CENTER_V2"


def test_colliding_names_keep_the_first(tmp_path: Path) -> None:
    result = ReleaseResult(app_key="a", version="1", status="published")
    result.artifacts = [
        ArtifactResult(name="data-center", source="file", id="first"),
        ArtifactResult(name="data_center", source="file", id="second"),
    ]
    host, _ = make_host(tmp_path)
    warnings = host.publish(result, result_file=None)
    assert report(tmp_path)["MARKETPLACE_ARTIFACT_ID_DATA_CENTER"] == "first"
    assert any("twice" in w for w in warnings)


def test_no_secret_in_the_report(tmp_path: Path, published: ReleaseResult) -> None:
    host, _ = make_host(tmp_path)
    credentials = Credentials(USER, TOKEN)
    host.mask(credentials.secret_forms())
    published.artifacts[1].id = f"x-{TOKEN}"
    warnings = host.publish(published, result_file=None)
    raw = (tmp_path / "release-publisher.env").read_text()
    assert TOKEN not in raw and credentials.basic_value not in raw
    assert "MARKETPLACE_ARTIFACT_ID_DATA_CENTER" not in raw
    assert any("holds a secret" in w for w in warnings)
    assert all(TOKEN not in w for w in warnings)


def test_report_path_from_the_environment(tmp_path: Path, published: ReleaseResult) -> None:
    host, _ = make_host(tmp_path, RELEASE_PUBLISHER_DOTENV="reports/mp.env")
    (tmp_path / "reports").mkdir()
    host.publish(published, result_file=None)
    assert report(tmp_path, "reports/mp.env")["MARKETPLACE_STATUS"] == "published"
    assert not (tmp_path / "release-publisher.env").exists()


def test_without_project_dir_the_current_directory_is_used(
    tmp_path: Path, published: ReleaseResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    GitLabHost({"GITLAB_CI": "true"}, stream=io.StringIO()).publish(published, result_file=None)
    assert report(tmp_path)["MARKETPLACE_STATUS"] == "published"


@pytest.mark.parametrize("target", ["missing/dir/x.env", "plain-file/x.env"])
def test_unwritable_report_is_a_warning(
    tmp_path: Path, published: ReleaseResult, target: str
) -> None:
    (tmp_path / "plain-file").write_text("")
    host, _ = make_host(tmp_path, RELEASE_PUBLISHER_DOTENV=target)
    warnings = host.publish(published, result_file=None)
    assert len(warnings) == 1 and "could not write the dotenv report" in warnings[0]
    assert [p.name for p in tmp_path.iterdir()] == ["plain-file"]  # no temp file left


def test_sections_are_collapsible_and_nest(tmp_path: Path) -> None:
    host, stream = make_host(tmp_path)
    with host.group("Upload artifact server"), host.group(f"inner {TOKEN}"):
        host.stream.write("inside\n")
    host.mask([TOKEN])
    with host.group(f"leak {TOKEN}\nsecond line"):
        host.stream.write("inside\n")
    lines = stream.getvalue().split("\n")
    esc = "\x1b[0K"
    assert lines[0] == (
        f"{esc}section_start:1700000000:release_publisher_1_upload_artifact_server"
        f"[collapsed=true]\r{esc}Upload artifact server"
    )
    assert lines[1].startswith(f"{esc}section_start:1700000000:release_publisher_2_inner")
    assert lines[2] == "inside"
    assert lines[3].startswith(f"{esc}section_end:1700000000:release_publisher_2_inner")
    assert lines[4] == (
        f"{esc}section_end:1700000000:release_publisher_1_upload_artifact_server\r{esc}"
    )
    assert lines[5].endswith(f"{esc}leak *** second line")
    assert TOKEN not in "\n".join(lines[5:])


def test_a_section_with_nothing_inside_leaves_no_markers(tmp_path: Path) -> None:
    host, stream = make_host(tmp_path)
    with host.group("Pre-flight checks"), host.group("inner"):
        pass
    assert stream.getvalue() == ""


def test_sections_are_open_in_debug_jobs(tmp_path: Path) -> None:
    host, stream = make_host(tmp_path, CI_DEBUG_TRACE="true")
    assert host.debug
    with host.group("phase"):
        pass
    assert "[collapsed=true]" not in stream.getvalue()


def test_the_dotenv_report_never_replaces_a_device_or_fifo(tmp_path: Path) -> None:
    """``--dotenv /dev/null`` as root must not replace the machine's /dev/null: a path
    that is not a regular file is refused with a warning, a symbolic link followed."""
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    result = ReleaseResult(app_key="com.example.hello", version="1.4.2")
    for path in (fifo, Path("/dev/null")):
        warnings = write_dotenv_report(result, path, result_file=None, project_dir="")
        assert any("not a regular file" in w for w in warnings), warnings
    assert stat.S_ISFIFO(fifo.stat().st_mode) and stat.S_ISCHR(Path("/dev/null").stat().st_mode)
    target = tmp_path / "real.env"
    target.write_text("", encoding="utf-8")
    link = tmp_path / "link.env"
    link.symlink_to(target)
    assert write_dotenv_report(result, link, result_file=None, project_dir="") == []
    assert link.is_symlink() and "MARKETPLACE_" in target.read_text(encoding="utf-8")
