"""Issue 15, items 8-10 (unit side): the Redactor catches every form of a secret that
can reach an output; a handler set up with ``install_redaction`` redacts records that
propagate from child loggers (``urllib3.connectionpool``) and keeps each message on
one line; ``one_line`` escapes what a server sends; the client refuses IDs that would
inject a workflow command (requests-mock, no sockets)."""

from __future__ import annotations

import base64
import io
import json
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from release_publisher.errors import ApiError
from release_publisher.safe_text import OneLineFilter, neutralize_commands, one_line
from release_publisher.secrets import (
    Credentials,
    RedactingFormatter,
    Redactor,
    install_redaction,
    register_credentials,
)
from release_publisher.urls import safe_url

from .marketplace.helpers import BASE, make_client

USER = "ci@example.com"
TOKEN = "tok-S3cr3t+/=:\"'\\"
CREDS = Credentials(USER, TOKEN)
BASIC = base64.b64encode(f"{USER}:{TOKEN}".encode()).decode()
URLSAFE = base64.urlsafe_b64encode(f"{USER}:{TOKEN}".encode()).decode()


def _lower_hex(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "%":
            out.append(text[i : i + 3].lower())
            i += 3
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


#: name -> a form of the token (or of base64 of user:token) that can reach an output.
FORMS = {
    "as given": TOKEN,
    "url-encoded": quote(TOKEN, safe=""),  # tok-S3cr3t%2B%2F%3D%3A%22%27%5C
    "url-encoded, lower-case hex": _lower_hex(quote(TOKEN, safe="")),
    "url-encoded, default safe chars": quote(TOKEN),
    "form-encoded": quote_plus(TOKEN),
    "url-encoded twice": quote(quote(TOKEN, safe=""), safe=""),
    "json-escaped": json.dumps(TOKEN)[1:-1],
    "json-escaped twice": json.dumps(json.dumps(TOKEN))[1:-1],
    "json with escaped slashes": json.dumps(TOKEN)[1:-1].replace("/", "\\/"),
    "json \\u escapes": "tok-S3cr3t+/=:\\u0022\\u0027\\u005c",
    "repr-escaped": repr(TOKEN)[1:-1],
    "html entities": "tok-S3cr3t+/=:&quot;&#39;\\",
    "split across lines": TOKEN[:7] + "\n" + TOKEN[7:],
    "split across lines, crlf and indent": TOKEN[:5] + "\r\n    " + TOKEN[5:],
    "split by an escaped line break": TOKEN[:9] + "\\n" + TOKEN[9:],
    "whitespace-collapsed line break": TOKEN[:6] + " " + TOKEN[6:],
    "basic": BASIC,
    "basic without padding": BASIC.rstrip("="),
    "basic url-safe": URLSAFE,
    "basic url-encoded": quote(BASIC, safe=""),
    "basic wrapped at 20 columns": "\n".join(BASIC[i : i + 20] for i in range(0, len(BASIC), 20)),
}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_every_form_of_the_token_is_redacted(name: str) -> None:
    redactor = Redactor(CREDS.secret_forms())
    text = f"error: {FORMS[name]} was refused"
    redacted = redactor.redact(text)
    assert redacted.startswith("error: ") and redacted.endswith(" was refused")
    assert "S3cr3t" not in redacted
    assert "***" in redacted
    for piece in ("%2B%2F", "dG9rLVMz", "tok-S3"):
        assert piece not in redacted


def test_the_reflected_token_of_the_issue_is_redacted() -> None:
    redactor = Redactor(CREDS.secret_forms())
    assert redactor.redact("bad token tok-S3cr3t%2B%2F%3D%3A%22%27%5C!") == "bad token ***!"


def test_ordinary_text_is_left_alone() -> None:
    redactor = Redactor(CREDS.secret_forms())
    text = 'tok-S3cr3 is not it, nor "S3cr3t" alone; 100% %2B +'
    assert redactor.redact(text) == text


def test_literal_forms_for_the_runner_include_the_url_encoded_token() -> None:
    forms = CREDS.secret_forms()
    assert quote(TOKEN, safe="") in forms
    assert _lower_hex(quote(TOKEN, safe="")) in forms
    assert BASIC in forms and URLSAFE in forms and TOKEN in forms


def test_register_credentials_once_serves_every_sink() -> None:
    redactor = Redactor()
    forms = register_credentials(CREDS, redactor)
    assert forms == CREDS.secret_forms()
    assert redactor.redact(f"x {quote(TOKEN, safe='')} y") == "x *** y"


# ------------------------------------------------------------------ handlers (item 9)


@pytest.fixture
def handler() -> Iterator[tuple[logging.Handler, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    redactor = Redactor(CREDS.secret_forms())
    install_redaction(handler, redactor)
    root = logging.getLogger()
    old_level = root.level
    ours = logging.getLogger("release_publisher")  # a CLI run in-process stops propagation
    old_propagate, ours.propagate = ours.propagate, True
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler, stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        ours.propagate = old_propagate


def test_a_record_from_urllib3_connectionpool_is_redacted_by_the_handler(
    handler: tuple[logging.Handler, io.StringIO],
) -> None:
    _, stream = handler
    logging.getLogger("urllib3.connectionpool").debug(
        'http://127.0.0.1:1 "GET /x?token=%s HTTP/1.1" 401 %s', quote(TOKEN, safe=""), BASIC
    )
    out = stream.getvalue()
    assert "DEBUG urllib3.connectionpool:" in out
    assert "S3cr3t" not in out and BASIC not in out
    assert out.count("***") == 2


def test_a_traceback_through_the_handler_is_redacted_and_runs_no_command(
    handler: tuple[logging.Handler, io.StringIO],
) -> None:
    _, stream = handler
    try:
        raise ValueError(f"answer held {TOKEN}\n::warning::INJECTED")
    except ValueError:
        logging.getLogger("release_publisher.x").exception("failed: %s", "img1\n::error::X")
    out = stream.getvalue()
    assert "S3cr3t" not in out
    lines = out.splitlines()
    assert lines[0] == "ERROR release_publisher.x: failed: img1\\n::error::X"
    assert not [line for line in lines if line.lstrip().startswith("::")]


def test_installing_twice_adds_nothing() -> None:
    handler = logging.StreamHandler(io.StringIO())
    install_redaction(handler)
    install_redaction(handler)
    assert len(handler.filters) == 1
    assert isinstance(handler.formatter, RedactingFormatter)
    assert not isinstance(handler.formatter.inner, RedactingFormatter)


# ------------------------------------------------------------ one line (item 10)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("img1\n::warning::INJECTED", "img1\\n::warning::INJECTED"),
        ("a\r\nb", "a\\r\\nb"),
        ("tab\there", "tab\\there"),
        ("esc\x1b[31mred", "esc\\x1b[31mred"),
        ("nul\x00", "nul\\x00"),
        ("nel\x85sep\u2028par\u2029", "nel\\x85sep\\u2028par\\u2029"),
        ("rtl\u202eoverride\u2066isolate\u200fmark", "rtl\\u202eoverride\\u2066isolate\\u200fmark"),
        ("plain text, C:\\path and ünïcode", "plain text, C:\\path and ünïcode"),
    ],
)
def test_one_line_escapes_line_breaks_and_controls(raw: str, shown: str) -> None:
    assert one_line(raw) == shown
    assert len(one_line(raw).splitlines()) <= 1


def test_neutralize_commands_keeps_lines_but_no_command() -> None:
    text = "Traceback\n  ::warning::x\n::add-mask::y\n##[error]z\nplain"
    lines = neutralize_commands(text).splitlines()
    assert lines == ["Traceback", "  | ::warning::x", "| ::add-mask::y", "| ##[error]z", "plain"]


def test_the_one_line_filter_makes_each_record_one_line() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(OneLineFilter())
    logger = logging.getLogger("release_publisher.test_one_line")
    logger.addHandler(handler)
    try:
        logger.warning("uploaded icon: %s", "img1\n::warning::INJECTED")
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue() == "uploaded icon: img1\\n::warning::INJECTED\n"


def test_safe_url_is_one_line() -> None:
    assert "\n" not in safe_url("https://h.example/a\x1b[2Jb\u2028c")
    assert safe_url("https://h.example/a\x1bb") == "https://h.example/a\\x1bb"


IMAGE = f"{BASE}/rest/3/assets/images/icon"


@pytest.mark.parametrize("image_id", ["img1\n::warning::INJECTED", "img\r1", "img\x1b[2J"])
def test_an_image_id_with_a_line_break_is_refused_and_shown_escaped(
    requests_mock: Any, tmp_path: Any, image_id: str
) -> None:
    path = tmp_path / "icon.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    requests_mock.post(IMAGE, status_code=201, json={"id": image_id})
    with pytest.raises(ApiError) as info:
        make_client().upload_image("icon", path)
    text = info.value.message
    assert "line break or control character" in text
    assert "\n" not in text and "\r" not in text and "\x1b" not in text


def test_an_artifact_id_with_a_line_break_is_refused(requests_mock: Any) -> None:
    body = {"_links": {"self": {"href": "/rest/3/artifacts/a%0A::warning::x"}}}
    requests_mock.get(f"{BASE}/rest/3/artifacts/a1", json=body)
    with pytest.raises(ApiError, match="line break or control character") as info:
        make_client().get_artifact("a1")
    assert "\n" not in info.value.message


@pytest.mark.parametrize(
    "body",
    [
        {"code": "BAD", "message": "no\n::warning::INJECTED\x1b[31m"},
        {"errors": [{"field": "name\n::error::X", "message": "bad\r\nvalue"}]},
    ],
)
def test_server_messages_reach_errors_on_one_line(requests_mock: Any, body: Any) -> None:
    requests_mock.get(f"{BASE}/rest/3/artifacts/a1", status_code=400, json=body)
    with pytest.raises(ApiError) as info:
        make_client().get_artifact("a1")
    for text in (info.value.message, info.value.hint or ""):
        assert "\n" not in text and "\r" not in text and "\x1b" not in text


HOSTILE = "red\x1b[31m rtl\u202e cr\r end"


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, {"code": "BAD", "message": HOSTILE}),
        (400, {"errors": [{"field": "summary", "message": HOSTILE}]}),
        (400, {"message": f"ARTIFACT_REMOTE_FETCH_FAILURE {HOSTILE}"}),
        (409, {"message": HOSTILE, "errors": [{"message": HOSTILE}]}),
        (403, [{"path": f"name{HOSTILE}", "message": HOSTILE}]),
    ],
)
def test_control_and_bidi_characters_in_server_messages_are_shown_escaped(
    requests_mock: Any, status: int, body: Any
) -> None:
    requests_mock.post(f"{BASE}/rest/3/artifacts/fetch", status_code=status, json=body)
    with pytest.raises(ApiError) as info:
        make_client().fetch_artifact("https://example.com/hello.jar")
    err = info.value
    for text in (err.message, err.hint or "", err.server_message or ""):
        assert "\x1b" not in text and "\u202e" not in text and "\r" not in text
    assert "red\\x1b[31m rtl\\u202e cr end" in err.message


def test_a_plain_text_error_body_with_a_reason_phrase_is_one_line(requests_mock: Any) -> None:
    requests_mock.get(
        f"{BASE}/rest/3/artifacts/a1",
        status_code=502,
        reason="Bad\x1b[2J Gateway",
        text="upstream\x00 failed\x1b]0;title\x07",
        headers={"Content-Type": "text/plain\x1b"},
    )
    with pytest.raises(ApiError) as info:
        make_client(attempts=1).get_artifact("a1")
    assert "\x1b" not in info.value.message and "\x00" not in info.value.message


def test_the_token_cut_at_an_excerpt_boundary_never_shows_a_prefix(requests_mock: Any) -> None:
    """A secret straddling where an excerpt is cut must be redacted first."""
    creds = Credentials(USER, "ATATT3xFfGF0-" + "x" * 180 + "-END")
    filler = " " * 7900
    requests_mock.get(
        f"{BASE}/rest/3/artifacts/a1",
        status_code=404,
        text=f"<html>{filler}{creds.token}</html>",
        headers={"Content-Type": "text/html"},
    )
    with pytest.raises(ApiError) as info:
        make_client(credentials=creds).get_artifact("a1")
    assert "ATATT3xFfGF0" not in info.value.message


def test_invisible_format_characters_are_shown_escaped() -> None:
    """Text that would look like other text (a zero-width space inside a word, a soft
    hyphen, a BOM, a tag character) is shown with its escapes."""

    assert one_line("a\u200bb\u00adc\ufeffd\U000e0041e") == "a\\u200bb\\xadc\\ufeffd\\U000e0041e"
