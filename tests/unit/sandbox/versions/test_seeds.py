"""Registering apps: the --app option."""

from __future__ import annotations

import pytest

from release_publisher.sandbox.versions.seeds import AppSpecError, parse_app_option


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("com.example.hello", ("com.example.hello", ("datacenter",))),
        ("k:server,datacenter", ("k", ("server", "datacenter"))),
        ("k: cloud , cloud", ("k", ("cloud",))),
    ],
)
def test_parse_app_option(text: str, parsed: tuple[str, tuple[str, ...]]) -> None:
    assert parse_app_option(text) == parsed


@pytest.mark.parametrize("text", ["", ":datacenter", "k:onprem", "k:", "a b"])
def test_parse_app_option_refuses(text: str) -> None:
    with pytest.raises(AppSpecError):
        parse_app_option(text)
