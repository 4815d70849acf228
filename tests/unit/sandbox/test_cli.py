"""The sandbox CLI's options."""

from __future__ import annotations

import argparse

import pytest

from release_publisher.errors import UsageError
from release_publisher.sandbox.cli import add_arguments, run


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


def test_cli_defaults_are_safe_and_fast() -> None:
    args = _args()
    assert (args.host, args.port, args.data_dir) == ("127.0.0.1", 0, None)
    assert (args.processing_delay, args.upload_spacing) == (0.0, 0.0)


def test_cli_refuses_negative_times_before_listening(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(_args("--upload-spacing", "-1")) == UsageError.exit_code
    err = capsys.readouterr().err
    assert err.startswith("UsageError: --processing-delay and --upload-spacing must be >= 0")
    assert "Traceback" not in err


def test_cli_app_option_is_repeatable_and_checked(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--app", "a.b", "--app", "c.d:server"])
    assert args.app == [("a.b", ("datacenter",)), ("c.d", ("server",))]
    with pytest.raises(SystemExit):
        parser.parse_args(["--app", "a.b:mainframe"])
    assert "unknown hosting 'mainframe'" in capsys.readouterr().err


def test_cli_limits_are_off_by_default() -> None:
    args = _args()
    assert (args.max_release_notes, args.image_sizes) == (0, "off")
    args = _args("--max-release-notes", "10000", "--image-sizes", "strict")
    assert (args.max_release_notes, args.image_sizes) == (10000, "strict")


def test_cli_refuses_negative_release_notes_limit_before_listening(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(_args("--max-release-notes", "-5")) == UsageError.exit_code
    err = capsys.readouterr().err
    assert err.startswith("UsageError: --max-release-notes must be >= 0 characters, got -5")
    assert "0 for any length" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--max-release-notes", "many"], "invalid int value: 'many'"),
        (["--max-release-notes", "1.5"], "invalid int value: '1.5'"),
        (["--image-sizes", "lenient"], "invalid choice: 'lenient'"),
    ],
)
def test_cli_refuses_malformed_limit_options(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        _args(*argv)
    assert exited.value.code == 2
    assert expected in capsys.readouterr().err
