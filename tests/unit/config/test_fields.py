"""The per-field rules: string fields YAML reads as numbers/booleans/null, ``expect``
values, explicit tags and quoting, credential-looking keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from release_publisher.config import looks_like_secret_key

from .helpers import MINIMAL, fail, load

TRAPS = [
    ("1.10", 'quote it: {k}: "1.10"', "the number 1.1"),
    ("2.0", 'quote it: {k}: "2.0"', "the number 2.0"),
    ("1e3", 'quote it: {k}: "1e3"', "YAML 1.2 tools read 1e3 as a number"),
    ("010", 'quote it: {k}: "010"', "the integer 8"),
    ("1", 'quote it: {k}: "1"', "the integer 1"),
    ("true", 'quote it: {k}: "true"', "the boolean true"),
    ("yes", 'quote it: {k}: "yes"', "the boolean true"),
    ("null", 'quote it: {k}: "null"', "null"),
    ("~", 'quote it: {k}: "~"', "null"),
    ("2024-01-31", 'quote it: {k}: "2024-01-31"', "date"),
]


SECRET_CASES = [
    ("top", MINIMAL + "token: s3cr3t-value\n", 7, "token"),
    ("app", MINIMAL.replace("app:\n", "app:\n  password: s3cr3t-value\n"), 3, "app.password"),
    ("artifact", MINIMAL + "    api-key: s3cr3t-value\n", 7, "artifacts[0].api-key"),
    ("apikey", MINIMAL + "apikey: s3cr3t-value\n", 7, "apikey"),
    ("api_key", MINIMAL + "api_key: s3cr3t-value\n", 7, "api_key"),
    (
        "secret",
        MINIMAL + "marketplace:\n  client-secret: s3cr3t-value\n",
        8,
        "marketplace.client-secret",
    ),
    ("credentials", MINIMAL + "credentials: {user: a, pass: s3cr3t-value}\n", 7, "credentials"),
    (
        "credential",
        MINIMAL + "marketplace:\n  credential: s3cr3t-value\n",
        8,
        "marketplace.credential",
    ),
    ("auth", MINIMAL + "auth: s3cr3t-value\n", 7, "auth"),
    ("camel", MINIMAL + "accessToken: s3cr3t-value\n", 7, "accessToken"),
    ("env-name", MINIMAL + "MARKETPLACE_TOKEN: s3cr3t-value\n", 7, "MARKETPLACE_TOKEN"),
    (
        "in-expect",
        MINIMAL + "    expect: {authToken: s3cr3t-value}\n",
        7,
        "artifacts[0].expect.authToken",
    ),
]


def test_expect_date_is_refused_not_crashing(tmp_path: Path) -> None:
    err = fail(tmp_path, MINIMAL + "    expect: {releaseDate: 2024-01-31}\n")
    assert err.location is not None
    assert err.location.field == "artifacts[0].expect.releaseDate"
    assert err.hint == 'quote it: releaseDate: "2024-01-31"'


def test_expect_values_keep_their_types(tmp_path: Path) -> None:
    cfg = load(tmp_path, MINIMAL + '    expect: {a: true, b: "1.10", c: 7, d: 1.5, e: two}\n')
    assert cfg.artifacts[0].expect == {"a": True, "b": "1.10", "c": 7, "d": 1.5, "e": "two"}


def test_explicit_str_tag_keeps_text(tmp_path: Path) -> None:
    cfg = load(tmp_path, MINIMAL.replace('"1.4.2"', "!!str 1.10"))
    assert cfg.version == "1.10"


def test_single_quoted_and_block_strings(tmp_path: Path) -> None:
    cfg = load(tmp_path, MINIMAL.replace('"1.4.2"', "'2.0'"))
    assert cfg.version == "2.0"


@pytest.mark.parametrize(("text", "hint", "what"), TRAPS, ids=[t[0] for t in TRAPS])
def test_unquoted_version_is_refused(tmp_path: Path, text: str, hint: str, what: str) -> None:
    err = fail(tmp_path, MINIMAL.replace('"1.4.2"', text))
    assert err.location is not None
    assert (err.location.line, err.location.col, err.location.field) == (4, 12, "app.version")
    assert what in err.message
    assert err.hint == hint.format(k="version")


@pytest.mark.parametrize(("text", "hint", "what"), TRAPS, ids=[t[0] for t in TRAPS])
def test_unquoted_app_key_is_refused(tmp_path: Path, text: str, hint: str, what: str) -> None:
    err = fail(tmp_path, MINIMAL.replace("com.example.hello", text))
    assert err.location is not None
    assert (err.location.line, err.location.col, err.location.field) == (3, 8, "app.key")
    assert what in err.message
    assert err.hint == hint.format(k="key")


@pytest.mark.parametrize(
    ("old", "new", "line", "field"),
    [
        ("key: com.example.hello", "key:", 3, "app.key"),
        ('version: "1.4.2"', "version:", 4, "app.version"),
    ],
)
def test_empty_app_field_is_refused(
    tmp_path: Path, old: str, new: str, line: int, field: str
) -> None:
    err = fail(tmp_path, MINIMAL.replace(old, new))
    assert err.location is not None
    assert (err.location.line, err.location.field) == (line, field)
    assert err.message == f"{field} is empty"


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("target/hello.jar", "1.10", "artifacts[0].file"),
        ("  - file:", "  - name: 2.0\n    file:", "artifacts[0].name"),
    ],
)
def test_other_string_fields_refuse_numbers(tmp_path: Path, old: str, new: str, field: str) -> None:
    err = fail(tmp_path, MINIMAL.replace(old, new))
    assert err.location is not None and err.location.field == field
    assert err.hint is not None and err.hint.startswith("quote it:")


def test_quoted_looking_numbers_are_kept_exactly(tmp_path: Path) -> None:
    cfg = load(tmp_path, MINIMAL.replace('"1.4.2"', '"1.10"'))
    assert cfg.version == "1.10"
    assert cfg.version != "1.1"


@pytest.mark.parametrize(
    ("text", "line", "field"), [pytest.param(*c[1:], id=c[0]) for c in SECRET_CASES]
)
def test_credential_looking_keys_are_refused(
    tmp_path: Path, text: str, line: int, field: str
) -> None:
    err = fail(tmp_path, text)
    assert "credentials never come from the config file" in err.message
    assert "MARKETPLACE_USER / MARKETPLACE_TOKEN" in err.message
    assert err.location is not None
    assert (err.location.line, err.location.field) == (line, field)
    assert "s3cr3t-value" not in err.render()


def test_credential_error_wins_over_other_errors(tmp_path: Path) -> None:
    # An unknown key earlier in the file and a bad version: the credential error still wins.
    text = "unknown: 1\n" + MINIMAL.replace('"1.4.2"', "1.10") + "password: hunter2\n"
    err = fail(tmp_path, text)
    assert "credentials never come from the config file" in err.message
    assert "hunter2" not in err.render()


@pytest.mark.parametrize("key", ["author", "authority", "tokenizer", "secretary", "base-url"])
def test_ordinary_keys_do_not_look_like_secrets(key: str) -> None:
    assert not looks_like_secret_key(key)


def test_secret_word_detection() -> None:
    assert looks_like_secret_key("apiKey")
    assert looks_like_secret_key("API_KEY")
    assert looks_like_secret_key("marketplace-token")
    assert looks_like_secret_key("Password")
