"""Issue 5, item 11, unit side: every token of the corpus is trimmed or refused by
``make_credentials`` naming its source, never showing it, including tokens for which
``requests`` itself would raise ``InvalidHeader`` with the value in the message."""

from __future__ import annotations

import base64

import pytest
import requests

from release_publisher.errors import UsageError
from release_publisher.secrets import Redactor, make_credentials
from tests.hostile import HOSTILE_TOKENS, SECRET

USER = "dev@example.com"
TRIMMED = {name: HOSTILE_TOKENS[name] for name in ("trailing-newline", "crlf", "leading-space")}
REFUSED = {
    name: (HOSTILE_TOKENS[name], why)
    for name, why in [
        ("empty", "is empty or unset"),
        ("blank", "is empty or unset"),
        ("non-ascii", "a non-ASCII character"),
        ("multi-line", "a line break"),
        ("header-injection", "a line break"),
        ("control", "a control character"),
    ]
}


@pytest.mark.parametrize("name", list(TRIMMED))
def test_surrounding_whitespace_is_trimmed(name: str) -> None:
    assert make_credentials(USER, TRIMMED[name]).token == SECRET


def test_a_colon_in_the_token_is_kept() -> None:
    creds = make_credentials(USER, "tok:en:51f0")
    assert creds.token == "tok:en:51f0"
    expected = base64.b64encode(f"{USER}:tok:en:51f0".encode()).decode()
    assert creds.basic_value == expected


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_tokens_name_the_source_never_the_value(name: str) -> None:
    token, why = REFUSED[name]
    with pytest.raises(UsageError) as info:
        make_credentials(USER, token, token_source="the 'token' input")
    text = info.value.render()
    assert "the 'token' input" in text and why in text
    for form in {token, token.strip(), *token.splitlines()} - {""}:
        if len(form.strip()) >= 4:
            assert form.strip() not in text


def test_requests_would_show_the_value_in_invalid_header() -> None:
    """Why the token must be checked before requests sees it: requests' own message
    carries the header value."""
    token = REFUSED["header-injection"][0]
    with pytest.raises(requests.exceptions.InvalidHeader) as info:
        requests.Request("GET", "https://x.test/", headers={"X-Token": token}).prepare()
    assert "leaked-value" in str(info.value)
    with pytest.raises(UsageError) as ours:
        make_credentials(USER, token)
    assert "leaked-value" not in ours.value.render()


def test_every_line_of_a_multi_line_secret_is_redacted() -> None:
    redactor = Redactor([REFUSED["multi-line"][0]])
    text = "a first-line-secret-1 b second-line-secret-2 c"
    assert redactor.redact(text) == "a *** b *** c"
