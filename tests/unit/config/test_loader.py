"""The full valid example, encodings and line endings, type traps, version override,
credential-looking keys and the shipped schema."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from release_publisher.config import (
    SCHEMA_PATH,
    ArtifactSpec,
    ImageSpec,
    ReleaseConfig,
    looks_like_secret_key,
    schema_text,
)
from release_publisher.config.model import DEFAULT_BASE_URL
from release_publisher.errors import Location

from .helpers import FULL, MINIMAL, SHA, fail, load, write


def assert_full(cfg: ReleaseConfig, path: Path) -> None:
    """Every field of the FULL example."""
    assert cfg.path == path
    assert cfg.base_dir == path.parent.resolve()
    assert cfg.app_key == "com.example.hello"
    assert cfg.version == "1.4.2"
    assert cfg.version_source == "config"
    assert [(a.name, a.file, a.url, a.sha512, a.expect, a.source) for a in cfg.artifacts] == [
        ("server", "target/hello-*.jar", None, None, {}, "file"),
        (
            "dc",
            None,
            "https://example.com/releases/hello-dc-1.4.2.obr",
            SHA.lower(),
            {"dataCenterCompatible": True, "addOnType": "two"},
            "url",
        ),
    ]
    assert [(i.type, i.file) for i in cfg.images] == [
        ("icon", "marketing/icon.png"),
        ("screenshot", "marketing/shots/*.png"),
    ]
    assert all(isinstance(i, ImageSpec) for i in cfg.images)
    assert cfg.base_url == "https://marketplace.example.com/api"
    assert cfg.poll_timeout == 120.0
    assert cfg.poll_interval == 1.5
    assert cfg.upload_spacing == 0.0
    file = str(path)
    assert cfg.locations["app.version"] == Location(file, 5, 12, "app.version")
    assert cfg.locations["artifacts[0].file"] == Location(file, 8, 11, "artifacts[0].file")
    assert cfg.locations["artifacts[1].url"] == Location(file, 10, 10, "artifacts[1].url")
    assert cfg.locations["images[1].type"] == Location(file, 16, 11, "images[1].type")
    assert cfg.artifacts[1].location == Location(file, 9, 5, "artifacts[1]")
    assert cfg.where("polling.interval") == Location(file, 20, 35, "polling.interval")


def test_full_example(tmp_path: Path) -> None:
    path = write(tmp_path, FULL)
    assert_full(load(tmp_path, FULL), path)


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda s: b"\xef\xbb\xbf" + s.encode(), id="bom"),
        pytest.param(lambda s: s.replace("\n", "\r\n").encode(), id="crlf"),
        pytest.param(lambda s: b"\xef\xbb\xbf" + s.replace("\n", "\r\n").encode(), id="bom-crlf"),
    ],
)
def test_bom_and_crlf_parse_exactly_like_the_plain_file(
    tmp_path: Path, variant: Callable[[str], bytes]
) -> None:
    plain_dir = tmp_path / "plain"
    other_dir = tmp_path / "other"
    plain_dir.mkdir()
    other_dir.mkdir()
    plain = load(plain_dir, FULL)
    other = load(other_dir, variant(FULL))
    assert_full(other, other_dir / "release.yml")
    for field in ("app_key", "version", "base_url", "poll_timeout", "poll_interval"):
        assert getattr(other, field) == getattr(plain, field)
    assert [(i.type, i.file) for i in other.images] == [(i.type, i.file) for i in plain.images]
    assert [(a.name, a.file, a.url, a.sha512, a.expect) for a in other.artifacts] == [
        (a.name, a.file, a.url, a.sha512, a.expect) for a in plain.artifacts
    ]
    # Same lines and columns: a BOM does not shift column 1, CRLF does not add lines.
    strip = {k: (v.line, v.col, v.field) for k, v in plain.locations.items()}
    assert {k: (v.line, v.col, v.field) for k, v in other.locations.items()} == strip


def test_defaults(tmp_path: Path) -> None:
    cfg = load(tmp_path, MINIMAL)
    assert cfg.artifacts == (
        ArtifactSpec(
            name="artifact", file="target/hello.jar", url=None, location=cfg.artifacts[0].location
        ),
    )
    assert cfg.images == ()
    assert cfg.base_url == DEFAULT_BASE_URL
    assert (cfg.poll_timeout, cfg.poll_interval, cfg.upload_spacing) == (300.0, 2.0, 10.0)
    assert "polling.timeout" not in cfg.locations
    assert cfg.where("polling.timeout") == Location(
        str(tmp_path / "release.yml"), field="polling.timeout"
    )


def test_expect_date_is_refused_not_crashing(tmp_path: Path) -> None:
    err = fail(tmp_path, MINIMAL + "    expect: {releaseDate: 2024-01-31}\n")
    assert err.location is not None
    assert err.location.field == "artifacts[0].expect.releaseDate"
    assert err.hint == 'quote it: releaseDate: "2024-01-31"'


def test_expect_values_keep_their_types(tmp_path: Path) -> None:
    cfg = load(tmp_path, MINIMAL + '    expect: {a: true, b: "1.10", c: 7, d: 1.5, e: two}\n')
    assert cfg.artifacts[0].expect == {"a": True, "b": "1.10", "c": 7, "d": 1.5, "e": "two"}


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    err = fail(tmp_path, MINIMAL + "#" * (1024 * 1024))
    assert "larger than" in err.message


def test_explicit_str_tag_keeps_text(tmp_path: Path) -> None:
    cfg = load(tmp_path, MINIMAL.replace('"1.4.2"', "!!str 1.10"))
    assert cfg.version == "1.10"


def test_single_quoted_and_block_strings(tmp_path: Path) -> None:
    cfg = load(tmp_path, MINIMAL.replace('"1.4.2"', "'2.0'"))
    assert cfg.version == "2.0"


# ---------------------------------------------------------------- encodings, tabs


def test_tab_indentation(tmp_path: Path) -> None:
    err = fail(tmp_path, MINIMAL.replace("  version:", "\tversion:"))
    assert err.location is not None
    assert (err.location.line, err.location.col) == (4, 1)
    assert err.hint is not None and "indent with spaces" in err.hint
    assert "tab" in err.message


def test_tab_indentation_in_list(tmp_path: Path) -> None:
    err = fail(tmp_path, MINIMAL.replace("  - file:", "\t- file:"))
    assert err.location is not None and err.location.line == 6
    assert err.hint is not None and "indent with spaces" in err.hint


def test_tab_after_a_colon_is_reported_as_a_tab(tmp_path: Path) -> None:
    err = fail(tmp_path, MINIMAL.replace("key: ", "key:\t"))
    assert err.location is not None and (err.location.line, err.location.col) == (3, 7)
    assert "tab" in err.message
    assert err.hint is not None and "spaces" in err.hint


@pytest.mark.parametrize(
    ("encoding", "name"),
    [("utf-16", "UTF-16"), ("utf-32", "UTF-32"), ("utf-16-le", None), ("utf-16-be", None)],
)
def test_utf16_and_utf32_are_refused(tmp_path: Path, encoding: str, name: str | None) -> None:
    err = fail(tmp_path, FULL.encode(encoding))
    assert err.location is not None and err.location.line == 1
    assert err.hint is not None and "save the file as UTF-8" in err.hint
    assert (name or "UTF-16") in err.message


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    data = MINIMAL.replace("target/hello.jar", "target/h\u00e9llo.jar").encode("latin-1")
    err = fail(tmp_path, data)
    assert err.location is not None
    assert (err.location.line, err.location.col) == (6, 19)
    assert "not valid UTF-8" in err.message
    assert err.hint is not None and "save the file as UTF-8" in err.hint


def test_non_ascii_utf8_is_fine(tmp_path: Path) -> None:
    cfg = load(tmp_path, MINIMAL.replace("target/hello.jar", "target/h\u00e9llo.jar"))
    assert cfg.artifacts[0].file == "target/h\u00e9llo.jar"


# ------------------------------------------------------------------- type traps

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


def test_format_is_checked_before_other_fields(tmp_path: Path) -> None:
    err = fail(tmp_path, MINIMAL.replace("format: 1", "format: 2").replace('"1.4.2"', "1.10"))
    assert err.location is not None and err.location.field == "format"
    assert "this release-publisher reads format 1" in err.message


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


# -------------------------------------------------------------- version override


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("v1.4.2", "1.4.2"),
        ("V2.0", "2.0"),
        ("1.4.2", "1.4.2"),
        ("v", "v"),
        ("vx1", "vx1"),
        ("vv1.2", "vv1.2"),
        ("version-1", "version-1"),
        ("release-1.4.2", "release-1.4.2"),
        ("1.10", "1.10"),
    ],
)
def test_version_override(tmp_path: Path, given: str, expected: str) -> None:
    cfg = load(tmp_path, MINIMAL, version_override=given)
    assert cfg.version == expected
    assert cfg.version_source == "--version"
    assert "app.version" not in cfg.locations


@pytest.mark.parametrize("given", ["", "   ", " v1.0", "1.0\n"])
def test_version_override_empty_or_blank(tmp_path: Path, given: str) -> None:
    err = fail(tmp_path, MINIMAL, version_override=given)
    assert err.message.startswith("--version")
    assert err.location is None  # not a place in the config file


def test_version_override_allows_missing_version(tmp_path: Path) -> None:
    cfg = load(tmp_path, MINIMAL.replace('  version: "1.4.2"\n', ""), version_override="v3.0.0")
    assert cfg.version == "3.0.0"


def test_version_override_skips_unset_variable_in_version(tmp_path: Path) -> None:
    text = MINIMAL.replace('"1.4.2"', "${RELEASE_VERSION}")
    assert load(tmp_path, text, version_override="1.0").version == "1.0"
    err = fail(tmp_path, text)
    assert "RELEASE_VERSION" in err.message


def test_version_override_does_not_hide_a_bad_version_in_the_file(tmp_path: Path) -> None:
    err = fail(tmp_path, MINIMAL.replace('"1.4.2"', "1.10"), version_override="1.10")
    assert err.location is not None and err.location.field == "app.version"


# --------------------------------------------------------- credential-looking keys

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


# ------------------------------------------------------------------------ schema


def _walk_schema(node: object, path: str = "#") -> list[tuple[str, dict[str, object]]]:
    out: list[tuple[str, dict[str, object]]] = []
    if isinstance(node, dict):
        out.append((path, node))
        for key, value in node.items():
            out.extend(_walk_schema(value, f"{path}/{key}"))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.extend(_walk_schema(value, f"{path}/{i}"))
    return out


def test_schema_is_valid_draft_2020_12_and_documented() -> None:
    from jsonschema import Draft202012Validator

    schema = json.loads(schema_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text()
    for path, node in _walk_schema(schema):
        props = node.get("properties")
        if isinstance(props, dict) and path.split("/")[-1] != "properties":
            assert node.get("additionalProperties") is False, path
            for name, prop in props.items():
                assert isinstance(prop, dict)
                assert prop.get("title") and prop.get("description"), f"{path}/{name}"


def test_full_example_validates_against_the_shipped_schema(tmp_path: Path) -> None:
    """Editors use the schema on the raw YAML: the full example must pass there too."""
    import yaml
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(
        json.loads(schema_text()), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    assert list(validator.iter_errors(yaml.safe_load(FULL))) == []


def test_import_does_not_load_jsonschema() -> None:
    code = "import sys, release_publisher.config; print('jsonschema' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
