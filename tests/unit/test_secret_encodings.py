"""The encodings of a secret the first redactor missed (adversarial review): base64 of
the token alone, base64 of ``user:token`` inside a longer base64 text at each of the
three alignments, hex in either case, and an escaped last character (``\\u005c``).
Each is checked on the redactor, through the real log handler (``console.setup_logging``)
and through an in-process ``publish`` whose error answer echoes them into stderr and the
result file (requests-mock, no sockets)."""

from __future__ import annotations

import base64
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests_mock

from release_publisher import cli
from release_publisher.clock import FakeClock
from release_publisher.console import setup_logging
from release_publisher.secrets import Credentials, Redactor, base64_forms, register_credentials

from .fakes import CLI_BASE, cli_workspace

USER = "dev@example.com"
#: ends with a backslash and holds both quotes: characters JSON and repr escape
TOKEN = "ATATT3xFfGF0-Enc0ded-S3cr3t\"q'\\"
CREDS = Credentials(USER, TOKEN)
RAW = f"{USER}:{TOKEN}".encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _core(data: bytes, offset: int) -> str:
    """The base64 characters that only ``data``'s bytes make, ``data`` starting at
    ``offset`` (0-2) of a longer text: what must be redacted."""
    skip = (3 - offset) % 3
    part = data[skip:]
    return _b64(part[: len(part) // 3 * 3])


#: name -> (the form as a server may send it, the secret-bearing part of it)
FORMS: dict[str, tuple[str, str]] = {
    "base64 of the token alone": (_b64(TOKEN.encode()), _b64(TOKEN.encode())),
    "base64 of the token, url-safe, no padding": (
        base64.urlsafe_b64encode(TOKEN.encode()).decode().rstrip("="),
        base64.urlsafe_b64encode(TOKEN.encode()).decode().rstrip("="),
    ),
    "hex of the token": (TOKEN.encode().hex(), TOKEN.encode().hex()),
    "HEX of the token": (TOKEN.encode().hex().upper(), TOKEN.encode().hex().upper()),
    "base64 of user:token at byte offset 0 of a longer text": (
        _b64(RAW + b"-and-more"),
        _core(RAW, 0),
    ),
    "base64 of user:token at byte offset 1 of a longer text": (
        _b64(b"x" + RAW + b"-and-more"),
        _core(RAW, 1),
    ),
    "base64 of user:token at byte offset 2 of a longer text": (
        _b64(b"xy" + RAW + b"-and-more"),
        _core(RAW, 2),
    ),
    "base64 of the token at byte offset 1 of a longer text": (
        _b64(b"Basic x" + TOKEN.encode() + b"!"),
        _core(TOKEN.encode(), (len(b"Basic x")) % 3),
    ),
    "json-escaped with the last backslash as \\u005c": (
        json.dumps(TOKEN)[1:-1].replace("\\\\", "\\u005c"),
        "Enc0ded-S3cr3t",
    ),
    "repr-escaped with the last backslash as \\x5c": (
        repr(TOKEN)[1:-1].replace("\\\\", "\\x5c"),
        "Enc0ded-S3cr3t",
    ),
}


def _leaks(text: str, secret_part: str, window: int = 8) -> list[str]:
    """Every ``window``-character piece of ``secret_part`` that ``text`` still holds."""
    return [
        secret_part[i : i + window]
        for i in range(len(secret_part) - window + 1)
        if secret_part[i : i + window] in text
    ]


@pytest.mark.parametrize("name", sorted(FORMS))
def test_each_encoding_is_redacted_by_the_redactor(name: str) -> None:
    form, secret_part = FORMS[name]
    redacted = Redactor(CREDS.secret_forms()).redact(f"answer: <{form}> end")
    assert redacted.startswith("answer: <") and redacted.endswith("> end")
    assert "***" in redacted
    assert _leaks(redacted, secret_part) == []


def test_an_escaped_last_character_is_redacted_whole() -> None:
    redactor = Redactor(CREDS.secret_forms())
    escaped = json.dumps(TOKEN)[1:-1].replace("\\\\", "\\u005c")
    assert redactor.redact(f"<{escaped}>") == "<***>"
    assert redactor.redact(f"<{TOKEN[:-1]}\\x5c>") == "<***>"


def test_the_aligned_cores_are_registered_once_by_register_credentials() -> None:
    redactor = Redactor()
    forms = register_credentials(CREDS, redactor)
    for offset in (0, 1, 2):
        assert _core(RAW, offset) in forms
        assert _core(TOKEN.encode(), offset) in forms
    assert TOKEN.encode().hex() in forms and TOKEN.encode().hex().upper() in forms
    assert base64_forms(RAW) <= set(forms)


def test_ordinary_base64_and_hex_are_left_alone() -> None:
    redactor = Redactor(CREDS.secret_forms())
    text = f"sha512:{'ab' * 64} {_b64(b'an ordinary payload of bytes')} dG9r 4154"
    assert redactor.redact(text) == text


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """The CLI's real log handler on a stream, the credentials registered."""
    stream = io.StringIO()
    ours = logging.getLogger("release_publisher")
    saved = (ours.level, ours.propagate, logging.getLogger().level)
    register_credentials(CREDS)
    setup_logging(verbose=False, stream=stream)
    yield stream
    root = logging.getLogger()
    for owner in (ours, root):
        for handler in list(owner.handlers):
            if getattr(handler, "release_publisher", False):
                owner.removeHandler(handler)
    ours.setLevel(saved[0])
    ours.propagate = saved[1]
    root.setLevel(saved[2])


def test_every_encoding_is_redacted_through_the_real_log_handler(console: io.StringIO) -> None:
    for name, (form, _) in FORMS.items():
        logging.getLogger("release_publisher.test").warning("%s: %s", name, form)
        logging.getLogger("urllib3.connectionpool").warning("%s: %s", name, form)
    text = console.getvalue()
    assert text.count("***") >= 2 * len(FORMS)
    for name, (_, secret_part) in FORMS.items():
        assert _leaks(text, secret_part) == [], name


def test_a_server_echoing_every_encoding_leaks_none_into_stderr_or_the_result_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = cli_workspace(tmp_path / "app")
    echoed = " | ".join(form for form, _ in FORMS.values())
    result_path = tmp_path / "result.json"
    with requests_mock.Mocker() as mock:
        mock.post(
            f"{CLI_BASE}/rest/3/artifacts",
            status_code=400,
            json={"message": f"bad credentials {echoed}", "errors": [{"message": echoed}]},
        )
        code = cli.main(
            ["publish", "-C", str(workspace), "--result-json", str(result_path)],
            env={"MARKETPLACE_USER": USER, "MARKETPLACE_TOKEN": TOKEN},
            clock=FakeClock(),
        )
    captured = capsys.readouterr()
    assert code == 4, captured.err
    assert "bad credentials ***" in captured.err
    written = result_path.read_text(encoding="utf-8")
    assert json.loads(written)["error"]["kind"] == "ApiError"
    for name, (_, secret_part) in FORMS.items():
        for where, text in (("stdout", captured.out), ("stderr", captured.err)):
            assert _leaks(text, secret_part) == [], f"{name} in {where}"
        assert _leaks(written, secret_part) == [], f"{name} in the result file"
        assert _leaks(written.replace("\\\\", "\\"), secret_part) == [], name


@pytest.mark.parametrize("separator", ["\u200b", "\u00ad", "\u0301", "\x00", "\x1b[0m", "\ufeff"])
def test_a_token_with_invisible_characters_between_its_letters_is_redacted(
    separator: str,
) -> None:
    """A server that echoes the token with zero-width spaces (or NULs, colour codes)
    between its letters shows it to a reader as the token: redacted too."""
    token = "ATATT3xFfGF0-invisible-token-0123456789"
    redactor = Redactor([token])
    out = redactor.redact("echo: " + separator.join(token) + " end")
    assert "***" in out and "invisible" not in out and "0123" not in out
    assert redactor.redact("a text\u200bwith a zero-width space") == (
        "a text\u200bwith a zero-width space"  # no secret: the text is left as it is
    )
