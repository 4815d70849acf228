"""The action's entry point: inputs -> ``publish`` arguments and environment."""

from __future__ import annotations

from pathlib import Path

import pytest

import entrypoint
from entrypoint import DEFAULT_CONFIG, InputError, build_invocation, main

from .conftest import TOKEN, USER
from .runner_files import parse_github_output, parse_workflow_commands

CREDENTIALS = {"INPUT_USER": USER, "INPUT_TOKEN": TOKEN}


def invocation_for(env: dict[str, str], tmp_path: Path) -> list[str]:
    return build_invocation(env, result_dirs=[str(tmp_path / "none")]).argv


def test_minimal_inputs(tmp_path: Path) -> None:
    inv = build_invocation(
        {**CREDENTIALS, "INPUT_CONFIG": "", "INPUT_DRY-RUN": "false"},
        result_dirs=[str(tmp_path)],
    )
    assert inv.argv == [
        "publish",
        "--config",
        DEFAULT_CONFIG,
        "--result-json",
        str(tmp_path / "release-publisher-result.json"),
    ]
    assert inv.env == {"MARKETPLACE_USER": USER, "MARKETPLACE_TOKEN": TOKEN}
    assert TOKEN not in " ".join(inv.argv)  # credentials never on the command line


def test_every_input_in_the_runners_hyphen_spelling(tmp_path: Path) -> None:
    env = {
        **CREDENTIALS,
        "INPUT_CONFIG": "release/mp.yml",
        "INPUT_VERSION": "v1.4.2",
        "INPUT_BASE-URL": "http://127.0.0.1:8080",
        "INPUT_DRY-RUN": "TRUE",
        "INPUT_WORKING-DIRECTORY": "plugin",
        "INPUT_POLL-TIMEOUT": "90",
        "INPUT_CA-BUNDLE": "certs/proxy.pem",
        "INPUT_RESUME-FROM": "previous/result.json",
    }
    argv = invocation_for(env, tmp_path)
    assert argv[:-2] == [
        "publish",
        "--config",
        "release/mp.yml",
        "--app-version",
        "v1.4.2",
        "--base-url",
        "http://127.0.0.1:8080",
        "--dry-run",
        "--working-directory",
        "plugin",
        "--poll-timeout",
        "90",
        "--ca-bundle",
        "certs/proxy.pem",
        "--resume",
        "previous/result.json",
    ]


def test_underscore_spelling_is_the_fallback(tmp_path: Path) -> None:
    env = {
        **CREDENTIALS,
        "INPUT_BASE-URL": "",
        "INPUT_BASE_URL": "http://u",
        "INPUT_CA_BUNDLE": "c",
    }
    argv = invocation_for(env, tmp_path)
    assert argv[argv.index("--base-url") + 1] == "http://u"
    assert argv[argv.index("--ca-bundle") + 1] == "c"
    both = {**CREDENTIALS, "INPUT_BASE-URL": "http://hyphen", "INPUT_BASE_URL": "http://under"}
    argv = invocation_for(both, tmp_path)
    assert argv[argv.index("--base-url") + 1] == "http://hyphen"


def test_defaults_add_nothing(tmp_path: Path) -> None:
    env = {**CREDENTIALS, "INPUT_WORKING-DIRECTORY": ".", "INPUT_DRY-RUN": "", "INPUT_VERSION": " "}
    argv = invocation_for(env, tmp_path)
    assert argv[:3] == ["publish", "--config", DEFAULT_CONFIG]
    assert argv[3] == "--result-json" and len(argv) == 5


@pytest.mark.parametrize("word", ["true", "True", "YES", "1", " yes "])
def test_true_words(word: str, tmp_path: Path) -> None:
    assert "--dry-run" in invocation_for({**CREDENTIALS, "INPUT_DRY-RUN": word}, tmp_path)


@pytest.mark.parametrize("word", ["false", "FALSE", "no", "0", ""])
def test_false_words(word: str, tmp_path: Path) -> None:
    assert "--dry-run" not in invocation_for({**CREDENTIALS, "INPUT_DRY-RUN": word}, tmp_path)


def test_other_booleans_are_refused_naming_the_input(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        invocation_for({**CREDENTIALS, "INPUT_DRY-RUN": "perhaps-later"}, tmp_path)
    assert "'dry-run'" in info.value.message
    assert "perhaps-later" not in info.value.message + info.value.hint


@pytest.mark.parametrize("value", ["soon", "0", "-5", "nan", "inf"])
def test_poll_timeout_must_be_positive_seconds(value: str, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="'poll-timeout'"):
        invocation_for({**CREDENTIALS, "INPUT_POLL-TIMEOUT": value}, tmp_path)


@pytest.mark.parametrize("missing", ["user", "token"])
def test_missing_credential_names_the_input_not_a_value(missing: str, tmp_path: Path) -> None:
    env = {**CREDENTIALS, f"INPUT_{missing.upper()}": "  \n"}
    with pytest.raises(InputError) as info:
        invocation_for(env, tmp_path)
    text = info.value.message + info.value.hint
    assert f"'{missing}' input is empty" in info.value.message
    assert TOKEN not in text and USER not in text


def test_credentials_from_the_step_env_are_accepted(tmp_path: Path) -> None:
    env = {"INPUT_TOKEN": "", "MARKETPLACE_TOKEN": TOKEN, "MARKETPLACE_USER": USER}
    inv = build_invocation(env, result_dirs=[])
    assert inv.env == {}  # the CLI reads them from the environment as they are


def test_dry_run_needs_no_credentials(tmp_path: Path) -> None:
    assert "--dry-run" in invocation_for({"INPUT_DRY-RUN": "true"}, tmp_path)


def test_result_file_goes_to_the_first_mounted_runner_directory(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    dirs = [str(tmp_path / "runner_temp"), str(home)]
    argv = build_invocation(CREDENTIALS, result_dirs=dirs).argv
    assert argv[-2:] == ["--result-json", str(home / "release-publisher-result.json")]


def test_main_runs_the_cli_with_credentials_in_the_environment(tmp_path: Path) -> None:
    seen: dict[str, object] = {}
    environ = {**CREDENTIALS, "INPUT_TOKEN": TOKEN}

    def fake_cli(argv: list[str]) -> int:
        seen["argv"] = argv
        seen["env"] = dict(environ)
        return 4

    assert main([], environ=environ, run_cli=fake_cli) == 4
    assert seen["argv"][:3] == ["publish", "--config", DEFAULT_CONFIG]  # type: ignore[index]
    env = seen["env"]
    assert isinstance(env, dict)
    assert env["MARKETPLACE_TOKEN"] == TOKEN and env["MARKETPLACE_USER"] == USER
    assert "INPUT_TOKEN" not in env  # the raw input is gone before the CLI runs


def test_container_arguments_go_straight_to_the_cli() -> None:
    calls: list[list[str]] = []

    def fake_cli(argv: list[str]) -> int:
        calls.append(argv)
        return 0

    environ = {"INPUT_DRY-RUN": "not-a-boolean"}  # ignored: arguments win
    assert main(["check", "--config", "x.yml"], environ=environ, run_cli=fake_cli) == 0
    assert calls == [["check", "--config", "x.yml"]]


def test_an_input_error_is_reported_like_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "output"
    summary = tmp_path / "summary"
    environ = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(out),
        "GITHUB_STEP_SUMMARY": str(summary),
        "INPUT_USER": USER,
        "INPUT_TOKEN": "",
    }

    def must_not_run(argv: list[str]) -> int:
        raise AssertionError("the CLI must not run on invalid inputs")

    assert main([], environ=environ, run_cli=must_not_run) == 2

    captured = capsys.readouterr()
    (annotation,) = parse_workflow_commands(captured.out)
    assert annotation.name == "error" and "'token' input is empty" in annotation.data
    assert captured.err.startswith("UsageError: the 'token' input is empty")
    assert parse_github_output(out.read_text())["status"] == "failed"
    assert "'token' input is empty" in summary.read_text()
    for text in (captured.out, captured.err, out.read_text(), summary.read_text()):
        assert USER not in text


def test_entrypoint_imports_only_the_standard_library() -> None:
    source = Path(entrypoint.__file__).read_text()
    top_level = [
        line
        for line in source.splitlines()
        if line.startswith(("import ", "from ")) and "__future__" not in line
    ]
    assert top_level and all("release_publisher" not in line for line in top_level)


@pytest.mark.parametrize(
    ("given", "seen"),
    [
        # the result-file output of a previous run, as later steps see it
        ("/home/runner/work/_temp/release-publisher-result.json",
         "/github/runner_temp/release-publisher-result.json"),
        ("/home/runner/work/_temp/_github_home/release-publisher-result.json",
         "/github/home/release-publisher-result.json"),
        # a path in the workspace is already right inside the container
        ("previous/result.json", "previous/result.json"),
    ],
)  # fmt: skip
def test_resume_from_a_runner_path_is_mapped_into_the_container(
    tmp_path: Path, given: str, seen: str
) -> None:
    env = {
        **CREDENTIALS,
        "INPUT_RESUME-FROM": given,
        "RUNNER_TEMP": "/home/runner/work/_temp",
    }
    argv = invocation_for(env, tmp_path)
    assert argv[argv.index("--resume") + 1] == seen


def test_if_exists_input_becomes_the_option(tmp_path: Path) -> None:
    argv = invocation_for({**CREDENTIALS, "INPUT_IF-EXISTS": "Skip"}, tmp_path)
    assert argv[argv.index("--if-exists") + 1] == "skip"
    assert "--if-exists" not in invocation_for({**CREDENTIALS, "INPUT_IF-EXISTS": ""}, tmp_path)


def test_a_bad_if_exists_input_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        invocation_for({**CREDENTIALS, "INPUT_IF-EXISTS": "overwrite"}, tmp_path)
    assert "'if-exists'" in caught.value.message and "overwrite" not in caught.value.message


def test_trace_input_writes_the_wire_trace_beside_the_result_file(tmp_path: Path) -> None:
    assert "--trace" not in build_invocation(CREDENTIALS, result_dirs=[str(tmp_path)]).argv
    env = {**CREDENTIALS, "INPUT_TRACE": "true"}
    argv = build_invocation(env, result_dirs=[str(tmp_path)]).argv
    assert argv[argv.index("--trace") + 1] == str(tmp_path / "release-publisher-trace.jsonl")
    with pytest.raises(InputError, match="'trace' input must be true or false"):
        build_invocation({**CREDENTIALS, "INPUT_TRACE": "maybe"}, result_dirs=[str(tmp_path)])
