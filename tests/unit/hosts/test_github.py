"""GitHub adapter: step outputs read back with the runner's rules, job summary, masks,
annotations and groups, and every way a host file can be unusable."""

from __future__ import annotations

import io
import json
import os
import uuid
from pathlib import Path

import pytest

from release_publisher.errors import ConfigError, Location, UsageError
from release_publisher.hosts.base import append_text
from release_publisher.hosts.github import (
    OUTPUT_NAMES,
    GitHubHost,
    escape_data,
    escape_property,
    format_output,
    runner_side_path,
)
from release_publisher.hosts.summary import MAX_SUMMARY_BYTES
from release_publisher.result import ArtifactResult, ReleaseResult
from release_publisher.secrets import Credentials

from .conftest import CHECKSUM, MULTILINE_SECRET, TOKEN, USER
from .runner_files import parse_github_output, parse_workflow_command, parse_workflow_commands


def make_host(tmp_path: Path, **extra: str) -> tuple[GitHubHost, io.StringIO, Path, Path]:
    out, summary = tmp_path / "output", tmp_path / "summary"
    out.touch()
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(out),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_WORKSPACE": str(tmp_path),
        **extra,
    }
    stream = io.StringIO()
    return GitHubHost(env, stream=stream), stream, out, summary


# -- step outputs ---------------------------------------------------------------------


def test_every_declared_output_reads_back_with_the_runners_rules(
    tmp_path: Path, published: ReleaseResult
) -> None:
    host, _, out, _ = make_host(tmp_path)
    result_file = tmp_path / "result.json"
    result_file.write_text("{}")

    assert host.publish(published, result_file=result_file) == []

    outputs = parse_github_output(out.read_text())
    assert set(outputs) == set(OUTPUT_NAMES)
    assert outputs["status"] == "published"
    assert outputs["artifact-id"] == "art-111"
    assert json.loads(outputs["artifact-ids"]) == {"server": "art-111", "data-center": "art-222"}
    assert json.loads(outputs["checksums"]) == {"server": CHECKSUM, "data-center": "cd" * 64}
    assert json.loads(outputs["image-ids"]) == {"icon": ["img-1"], "screenshot": ["img-2", "img-3"]}
    assert outputs["result-file"] == str(result_file)


def test_outputs_are_appended_after_what_earlier_steps_wrote(
    tmp_path: Path, published: ReleaseResult
) -> None:
    host, _, out, _ = make_host(tmp_path)
    out.write_text("earlier=kept\n")
    host.publish(published, result_file=None)
    outputs = parse_github_output(out.read_text())
    assert outputs["earlier"] == "kept"
    assert outputs["status"] == "published"


def test_failure_still_writes_every_known_output(tmp_path: Path, failed: ReleaseResult) -> None:
    host, _, out, _ = make_host(tmp_path)
    host.publish(failed, result_file=None)
    outputs = parse_github_output(out.read_text())
    assert set(outputs) == set(OUTPUT_NAMES)
    assert outputs["status"] == "failed"
    assert outputs["artifact-id"] == "art-111"  # uploaded before the failure: not lost
    assert json.loads(outputs["artifact-ids"]) == {"server": "art-111"}
    assert json.loads(outputs["image-ids"]) == {}
    assert outputs["result-file"] == ""


def test_failure_before_any_upload_gives_empty_id_and_valid_json(tmp_path: Path) -> None:
    host, _, out, _ = make_host(tmp_path)
    host.publish(ReleaseResult(app_key=None, version=None, status="failed"), result_file=None)
    outputs = parse_github_output(out.read_text())
    assert outputs["artifact-id"] == ""
    for name in ("artifact-ids", "checksums", "image-ids"):
        assert json.loads(outputs[name]) == {}


def test_a_missing_result_file_is_not_advertised(tmp_path: Path, published: ReleaseResult) -> None:
    host, _, out, _ = make_host(tmp_path)
    host.publish(published, result_file=tmp_path / "never-written.json")
    assert parse_github_output(out.read_text())["result-file"] == ""


def test_delimiter_is_fresh_and_never_inside_the_value(monkeypatch: pytest.MonkeyPatch) -> None:
    taken = uuid.UUID(int=1)
    fresh = uuid.UUID(int=2)
    values = iter([taken, fresh])
    monkeypatch.setattr(uuid, "uuid4", lambda: next(values))
    value = f'{{"x": "ghadelimiter_{taken}"}}\nghadelimiter_{taken}'

    text = format_output("artifact-ids", value)

    assert f"<<ghadelimiter_{fresh}\n" in text
    assert parse_github_output(text) == {"artifact-ids": value}


def test_values_containing_the_delimiter_prefix_read_back_exactly(tmp_path: Path) -> None:
    result = ReleaseResult(app_key="a", version="1", status="published")
    result.artifacts.append(ArtifactResult(name="ghadelimiter_", source="file", id="ghadelimiter_"))
    host, _, out, _ = make_host(tmp_path)
    host.publish(result, result_file=None)
    outputs = parse_github_output(out.read_text())
    assert outputs["artifact-id"] == "ghadelimiter_"
    assert json.loads(outputs["artifact-ids"]) == {"ghadelimiter_": "ghadelimiter_"}


@pytest.mark.parametrize("value", ["", "one line", "two\nlines", "trailing newline\n", "a=b<<c"])
def test_any_value_round_trips(value: str) -> None:
    assert parse_github_output(format_output("name", value)) == {"name": value}


@pytest.mark.parametrize("name", ["", "a=b", "a<<b", "a\nb"])
def test_output_names_the_runner_cannot_read_are_refused(name: str) -> None:
    with pytest.raises(ValueError):
        format_output(name, "v")


# -- unusable host files ----------------------------------------------------------------


@pytest.mark.parametrize(
    "setting",
    ["unset", "empty", "missing-dir", "a-directory", "under-a-file"],
)
def test_unusable_output_files_give_warnings_not_exceptions(
    tmp_path: Path, published: ReleaseResult, setting: str
) -> None:
    (tmp_path / "plain-file").write_text("x")
    paths = {
        "empty": "",
        "missing-dir": str(tmp_path / "no" / "such" / "dir" / "file"),
        "a-directory": str(tmp_path),
        "under-a-file": str(tmp_path / "plain-file" / "output"),
    }
    env = {"GITHUB_ACTIONS": "true"}
    if setting != "unset":
        env["GITHUB_OUTPUT"] = env["GITHUB_STEP_SUMMARY"] = paths[setting]
    host = GitHubHost(env, stream=io.StringIO())

    warnings = host.publish(published, result_file=None)

    assert len(warnings) == 2
    assert any("step outputs" in w for w in warnings)
    assert any("job summary" in w for w in warnings)
    if setting in ("unset", "empty"):
        assert all("is not set" in w for w in warnings)
    assert not (tmp_path / "no").exists()  # never creates the runner's directories


def test_a_broken_stdout_does_not_fail_the_run(tmp_path: Path, published: ReleaseResult) -> None:
    stream = io.StringIO()
    stream.close()
    host = GitHubHost({"GITHUB_OUTPUT": str(tmp_path / "o")}, stream=stream)
    host.mask([TOKEN])
    with host.group("phase"):
        host.report_warning("w")
    assert host.publish(published, result_file=None) != []  # summary unset: one warning


# -- job summary ------------------------------------------------------------------------


def test_job_summary_gets_the_release_card(tmp_path: Path, published: ReleaseResult) -> None:
    host, _, _, summary = make_host(tmp_path)
    summary.write_text("# Earlier step\n")
    host.publish(published, result_file=None)
    text = summary.read_text()
    assert text.startswith("# Earlier step\n")
    assert "com.example.hello" in text and "PUBLISHED" in text and "`art-111`" in text


def test_job_summary_stays_under_the_size_limit(tmp_path: Path, published: ReleaseResult) -> None:
    host, _, _, summary = make_host(tmp_path)
    summary.write_text("x" * (MAX_SUMMARY_BYTES - 300))
    published.warnings = ["long warning " * 50] * 3
    assert host.publish(published, result_file=None) == []
    assert summary.stat().st_size <= MAX_SUMMARY_BYTES


def test_a_full_job_summary_is_a_warning(tmp_path: Path, published: ReleaseResult) -> None:
    host, _, out, summary = make_host(tmp_path)
    summary.write_text("x" * MAX_SUMMARY_BYTES)
    warnings = host.publish(published, result_file=None)
    assert len(warnings) == 1 and "full" in warnings[0]
    assert summary.stat().st_size == MAX_SUMMARY_BYTES
    assert parse_github_output(out.read_text())["status"] == "published"  # outputs unharmed


# -- masks --------------------------------------------------------------------------


def test_masks_go_out_first_one_per_line_of_each_secret(
    tmp_path: Path, failed: ReleaseResult
) -> None:
    host, stream, _, _ = make_host(tmp_path)
    credentials = Credentials(USER, TOKEN)
    host.mask([*credentials.secret_forms(), MULTILINE_SECRET, "50%off-secret"])
    with host.group("Pre-flight"):
        host.report_warning(f"something mentioned {TOKEN}")
    host.report_error(UsageError(f"bad token {TOKEN}"))
    host.publish(failed, result_file=None)

    lines = stream.getvalue().splitlines()
    masks = [c.data for c in map(parse_workflow_command, lines) if c and c.name == "add-mask"]
    first_other = next(i for i, line in enumerate(lines) if not line.startswith("::add-mask::"))
    assert all(line.startswith("::add-mask::") for line in lines[:first_other])
    assert len(masks) == first_other  # every mask precedes every other line
    assert TOKEN in masks and credentials.basic_value in masks
    for line in MULTILINE_SECRET.splitlines():
        assert line in masks
    assert MULTILINE_SECRET not in masks  # the runner masks line by line
    assert "50%off-secret" in masks  # '%' escaped on the way, restored by the runner
    assert all(TOKEN not in line for line in lines[first_other:])


def test_no_secret_reaches_any_file(tmp_path: Path, failed: ReleaseResult) -> None:
    host, _, out, summary = make_host(tmp_path)
    basic = Credentials(USER, TOKEN).basic_value
    host.mask(Credentials(USER, TOKEN).secret_forms())
    assert failed.error is not None
    failed.error.message = f"server echoed Authorization: Basic {basic} and {TOKEN}"
    failed.warnings.append(f"token {TOKEN}")
    failed.artifacts[0].id = TOKEN  # even a value that happens to be a secret
    host.publish(failed, result_file=None)
    for text in (out.read_text(), summary.read_text()):
        assert TOKEN not in text and basic not in text
    assert "***" in summary.read_text()


# -- annotations ----------------------------------------------------------------------


def test_error_annotation_escapes_data_and_properties(tmp_path: Path) -> None:
    host, stream, _, _ = make_host(tmp_path)
    config = tmp_path / "dir,with:odd" / "release.yml"
    message = "100% wrong:\r\nline two, with a comma"
    host.report_error(
        ConfigError(message, hint="fix it", location=Location(str(config), line=3, col=7))
    )

    (line,) = stream.getvalue().splitlines()
    assert "\r" not in line
    command = parse_workflow_command(line)
    assert command is not None and command.name == "error"
    assert command.properties == {
        "file": "dir,with:odd/release.yml",  # relative to GITHUB_WORKSPACE
        "line": "3",
        "col": "7",
        "title": "release-publisher: ConfigError",
    }
    assert command.data == message + "\nhint: fix it"


def test_escaping_functions_escape_percent_first() -> None:
    assert escape_data("%0A\n") == "%250A%0A"
    assert escape_property("a:b,c%2C") == "a%3Ab%2Cc%252C"


def test_warning_annotation_without_location(tmp_path: Path) -> None:
    host, stream, _, _ = make_host(tmp_path)
    host.report_warning("image type 'logo' is not known")
    (command,) = parse_workflow_commands(stream.getvalue())
    assert command.name == "warning"
    assert command.properties == {"title": "release-publisher"}
    assert command.data == "image type 'logo' is not known"


def test_at_most_ten_annotations_of_each_kind(tmp_path: Path) -> None:
    host, stream, _, _ = make_host(tmp_path)
    for n in range(15):
        host.report_warning(f"warning {n}")
        host.report_error(UsageError(f"error {n}"))
    commands = parse_workflow_commands(stream.getvalue())
    assert sum(c.name == "warning" for c in commands) == 10
    assert sum(c.name == "error" for c in commands) == 10


def test_a_file_outside_the_workspace_is_kept_as_given(tmp_path: Path) -> None:
    host, stream, _, _ = make_host(tmp_path)
    host.report_warning("w", Location("/etc/elsewhere.yml", line=1))
    (command,) = parse_workflow_commands(stream.getvalue())
    assert command.properties["file"] == "/etc/elsewhere.yml"
    assert command.properties["line"] == "1"


# -- groups, debug, host selection ---------------------------------------------------------


def test_groups_fold_and_close_even_on_error(tmp_path: Path) -> None:
    host, stream, _, _ = make_host(tmp_path)
    # the runner cannot nest groups: the inner one is a heading line
    with pytest.raises(RuntimeError), host.group("Upload artifact server"), host.group("inner"):
        host.stream.write("Uploading\n")
        raise RuntimeError("boom")
    assert stream.getvalue().splitlines() == [
        "::group::Upload artifact server",
        "== inner",
        "Uploading",
        "::endgroup::",
    ]


def test_a_group_with_nothing_inside_leaves_no_markers(tmp_path: Path) -> None:
    # --quiet drops a phase's info lines: no ::group::/::endgroup:: pair around nothing
    host, stream, _, _ = make_host(tmp_path)
    with host.group("Pre-flight checks"):
        pass
    with host.group("Publishing"), host.group("App version"):
        pass
    with host.group("Publishing"):
        host.report_warning("slow")
    lines = stream.getvalue().splitlines()
    assert lines[0] == "::group::Publishing"
    assert lines[1].startswith("::warning")
    assert lines[2:] == ["::endgroup::"]


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("0", False), ("", False)])
def test_runner_debug_turns_on_debug(value: str, expected: bool) -> None:
    assert GitHubHost({"RUNNER_DEBUG": value}).debug is expected


# -- where later steps find the result file ----------------------------------------------


@pytest.mark.parametrize(
    ("path", "env", "expected"),
    [
        # current runners: RUNNER_TEMP translated, temp dir found beside RUNNER_WORKSPACE
        (
            "/github/runner_temp/r.json",
            {"RUNNER_TEMP": "/github/runner_temp", "RUNNER_WORKSPACE": "/home/runner/work/app"},
            "/home/runner/work/_temp/r.json",
        ),
        # older runners: RUNNER_TEMP passed untranslated, HOME mounted from _github_home
        (
            "/github/home/r.json",
            {"RUNNER_TEMP": "/home/runner/work/_temp"},
            "/home/runner/work/_temp/_github_home/r.json",
        ),
        ("/github/home/r.json", {}, "/github/home/r.json"),  # unknown: left as it is
        ("/srv/ws/r.json", {"RUNNER_TEMP": "/t"}, "/srv/ws/r.json"),  # a run: step
        ("/github/homework/r.json", {"RUNNER_TEMP": "/t"}, "/github/homework/r.json"),
    ],
)
def test_result_file_path_as_later_steps_see_it(
    path: str, env: dict[str, str], expected: str
) -> None:
    assert runner_side_path(path, env) == expected


def test_an_output_file_that_is_a_fifo_is_a_warning_not_a_hang(tmp_path: Path) -> None:
    """GITHUB_OUTPUT naming a FIFO (or a device) would block the run after it
    published: only a regular file is written, else the reason is returned."""
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    assert append_text(fifo, "x=1\n") is not None
    regular = tmp_path / "out.txt"
    assert append_text(regular, "x=1\n") is None
    assert regular.read_text(encoding="utf-8") == "x=1\n"
