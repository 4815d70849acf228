"""``Settings.from_args``: validated once, paths made absolute, the Namespace only read."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from release_publisher.cli import build_parser
from release_publisher.errors import UsageError
from release_publisher.settings import Settings


def parse(*argv: str) -> Settings:
    args = build_parser(with_sandbox=False).parse_args(list(argv))
    before = copy.deepcopy(vars(args))
    settings = Settings.from_args(args, {"MARKETPLACE_USER": "u@example.com"})
    assert vars(args) == before  # nothing mutates the argparse Namespace
    return settings


def test_command_line_paths_are_absolute_and_relative_to_the_start_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = parse(
        "publish", "--result-json", "out/r.json", "--resume", "old.json", "--ca-bundle", "ca.pem"
    )
    assert settings.result_json == tmp_path / "out" / "r.json"
    assert settings.resume == tmp_path / "old.json"
    assert settings.ca_bundle == tmp_path / "ca.pem"
    assert settings.config == Path("marketplace-release.yml")  # follows -C, stays relative


def test_credentials_name_their_source_and_are_never_shown() -> None:
    settings = parse("publish", "--token", "t0ken-value")
    source = settings.credentials
    assert source is not None
    assert (source.user, source.user_source) == ("u@example.com", "MARKETPLACE_USER")
    assert (source.token, source.token_source) == ("t0ken-value", "--token")
    assert "t0ken-value" not in repr(settings)
    assert parse("check").credentials is None


def test_overrides_are_validated_once() -> None:
    settings = parse(
        "publish", "--base-url", " https://mp.example.test/x/ ", "--poll-timeout", "90"
    )
    assert settings.base_url == "https://mp.example.test/x"
    assert settings.poll_timeout == 90.0
    with pytest.raises(UsageError, match=r"--poll-timeout .* got nan"):
        parse("publish", "--poll-timeout", "nan")
    with pytest.raises(UsageError, match="--http-timeout"):
        parse("publish", "--http-timeout", "inf")


def test_settings_are_frozen_and_keyword_only() -> None:
    settings = parse("check")
    with pytest.raises(AttributeError):
        settings.verbose = True  # type: ignore[misc]
    with pytest.raises(TypeError):
        Settings("check", Path("x.yml"))  # type: ignore[call-arg]


def test_base_url_option_follows_the_one_base_url_rule() -> None:
    assert parse("publish", "--base-url", "http://127.0.0.1:8080/").base_url == (
        "http://127.0.0.1:8080"
    )
    # the client's rule, applied to the option before anything else happens
    with pytest.raises(UsageError, match=r"plain http:// to mp\.example\.test"):
        parse("publish", "--base-url", "http://mp.example.test")
    with pytest.raises(UsageError, match="http\\(s\\) URL"):
        parse("publish", "--base-url", "mp.example.test")


def test_paths_are_absolute_and_normalised(tmp_path: Path) -> None:
    """They are shown in step outputs (``result-file``): no ``a/../b`` left."""
    settings = parse("publish", "--result-json", str(tmp_path / "x" / ".." / "r.json"))
    assert settings.result_json == tmp_path / "r.json"
