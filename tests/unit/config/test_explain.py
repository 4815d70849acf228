"""Malformed configs are refused at their file:line:col with a message and hint in the
user's terms (schema errors explained, "did you mean", URL credentials never shown)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import HEAD, MINIMAL, SHA, arts, fail

# (id, config text, line, col (None: not asserted), field, message fragment)
CASES: list[tuple[str, str, int, int | None, str | None, str]] = [
    ("format-missing", MINIMAL.replace("format: 1\n", ""), 1, 1, "format", "reads format 1"),
    ("format-2", MINIMAL.replace("format: 1", "format: 2"), 1, 9, "format", "reads format 1"),
    ("format-string", MINIMAL.replace("format: 1", 'format: "1"'), 1, 9, "format", "format '1'"),
    ("top-level-list", "- format: 1\n", 1, 1, None, "must be a mapping"),
    ("top-level-scalar", "just text\n", 1, 1, None, "must be a mapping"),
    ("unknown-top-key", MINIMAL + "artifact: x\n", 7, 1, "artifact", "unknown key 'artifact'"),
    (
        "unknown-app-key",
        MINIMAL.replace("app:\n", "app:\n  name: Hello\n"),
        3,
        3,
        "app.name",
        "unknown key 'name' in app",
    ),
    (
        "app-key-missing",
        MINIMAL.replace("  key: com.example.hello\n", ""),
        2,
        1,
        "app.key",
        "app.key is missing",
    ),
    (
        "app-version-missing",
        MINIMAL.replace('  version: "1.4.2"\n', ""),
        2,
        1,
        "app.version",
        "app.version is missing",
    ),
    (
        "app-version-typo",
        MINIMAL.replace("version:", "versoin:"),
        4,
        3,
        "app.versoin",
        "unknown key 'versoin'",
    ),
    (
        "app-not-mapping",
        MINIMAL.replace(
            'app:\n  key: com.example.hello\n  version: "1.4.2"\n', "app: com.example.hello\n"
        ),
        2,
        6,
        "app",
        "must be a mapping",
    ),
    ("artifacts-missing", HEAD, 1, 1, "artifacts", "artifacts is missing"),
    ("artifacts-empty", HEAD + "artifacts: []\n", 5, 1, "artifacts", "at least one"),
    ("artifacts-scalar", HEAD + "artifacts: target/x.jar\n", 5, 12, "artifacts", "must be a list"),
    (
        "artifact-entry-string",
        arts("  - target/x.jar\n"),
        6,
        5,
        "artifacts[0]",
        "must be a mapping",
    ),
    (
        "artifact-file-and-url",
        arts("  - file: a.jar\n    url: https://example.com/a.jar\n"),
        6,
        5,
        "artifacts[0]",
        "both file and url",
    ),
    ("artifact-neither", arts("  - name: server\n"), 6, 5, "artifacts[0]", "neither file nor url"),
    (
        "artifact-unknown-key",
        arts("  - file: a.jar\n    path: b.jar\n"),
        7,
        5,
        "artifacts[0].path",
        "unknown key 'path'",
    ),
    (
        "sha512-with-file",
        arts(f"  - file: a.jar\n    sha512: {SHA}\n"),
        7,
        13,
        "artifacts[0].sha512",
        "only allowed with url",
    ),
    (
        "sha512-short",
        arts("  - url: https://example.com/a.jar\n    sha512: abc123\n"),
        7,
        13,
        "artifacts[0].sha512",
        "128 hex digits",
    ),
    (
        "sha512-not-hex",
        arts(f"  - url: https://example.com/a.jar\n    sha512: {'g' * 128}\n"),
        7,
        13,
        "artifacts[0].sha512",
        "128 hex digits",
    ),
    (
        "name-uppercase",
        arts("  - name: Server\n    file: a.jar\n"),
        6,
        11,
        "artifacts[0].name",
        "lowercase letters",
    ),
    (
        "name-underscore",
        arts("  - name: my_app\n    file: a.jar\n"),
        6,
        11,
        "artifacts[0].name",
        "lowercase letters",
    ),
    (
        "names-duplicate",
        arts("  - name: jar\n    file: a.jar\n  - name: jar\n    file: b.jar\n"),
        8,
        11,
        "artifacts[1].name",
        "both named 'jar'",
    ),
    (
        "names-default-duplicate",
        arts("  - file: a.jar\n  - file: b.jar\n"),
        7,
        5,
        "artifacts[1]",
        "both named 'artifact'",
    ),
    (
        "url-ftp",
        arts("  - url: ftp://example.com/a.jar\n"),
        6,
        10,
        "artifacts[0].url",
        "http or https",
    ),
    ("url-file", arts("  - url: file:///tmp/a.jar\n"), 6, 10, "artifacts[0].url", "http or https"),
    ("url-not-a-url", arts("  - url: not a url\n"), 6, 10, "artifacts[0].url", "is not a URL"),
    ("url-empty", arts('  - url: ""\n'), 6, 10, "artifacts[0].url", "is empty"),
    ("url-no-host", arts("  - url: https://\n"), 6, 10, "artifacts[0].url", "artifacts[0].url"),
    (
        "expect-list",
        arts("  - url: https://example.com/a.jar\n    expect: {key: [a, b]}\n"),
        7,
        14,
        "artifacts[0].expect.key",
        "string, number or true/false",
    ),
    (
        "expect-null",
        arts("  - url: https://example.com/a.jar\n    expect: {key: null}\n"),
        7,
        19,
        "artifacts[0].expect.key",
        "has no value",
    ),
    (
        "expect-float-trap",
        arts("  - url: https://example.com/a.jar\n    expect: {name: 1.10}\n"),
        7,
        20,
        "artifacts[0].expect.name",
        "reads 1.10 as the number 1.1",
    ),
    (
        "expect-yes-trap",
        arts("  - file: a.jar\n    expect:\n      licensingEnabled: yes\n"),
        8,
        25,
        "artifacts[0].expect.licensingEnabled",
        "reads yes as the boolean true",
    ),
    (
        "expect-bad-key",
        arts("  - file: a.jar\n    expect: {data-center: true}\n"),
        7,
        14,
        "artifacts[0].expect.data-center",
        "not a details field name",
    ),
    (
        "image-type-uppercase",
        MINIMAL + "images:\n  - type: Icon\n    file: i.png\n",
        8,
        11,
        "images[0].type",
        "lowercase image type",
    ),
    (
        "image-type-leading-dash",
        MINIMAL + "images:\n  - type: -icon\n    file: i.png\n",
        8,
        11,
        "images[0].type",
        "lowercase image type",
    ),
    (
        "image-file-missing",
        MINIMAL + "images:\n  - type: icon\n",
        8,
        5,
        "images[0].file",
        "images[0].file is missing",
    ),
    (
        "image-unknown-key",
        MINIMAL + "images:\n  - type: icon\n    files: i.png\n",
        9,
        5,
        "images[0].files",
        "unknown key 'files'",
    ),
    ("polling-timeout-zero", MINIMAL + "polling:\n  timeout: 0\n", 8, 12, "polling.timeout", "> 0"),
    (
        "polling-interval-negative",
        MINIMAL + "polling:\n  interval: -1\n",
        8,
        13,
        "polling.interval",
        "> 0",
    ),
    (
        "polling-timeout-infinite",
        MINIMAL + "polling:\n  timeout: .inf\n",
        8,
        12,
        "polling.timeout",
        "must be a finite number",
    ),
    (
        "polling-timeout-string",
        MINIMAL + 'polling:\n  timeout: "300"\n',
        8,
        12,
        "polling.timeout",
        "must be a number",
    ),
    (
        "polling-unknown-key",
        MINIMAL + "polling:\n  retries: 3\n",
        8,
        3,
        "polling.retries",
        "unknown key 'retries'",
    ),
    ("spacing-negative", MINIMAL + "uploads:\n  spacing: -5\n", 8, 12, "uploads.spacing", ">= 0"),
    (
        "base-url-ftp",
        MINIMAL + "marketplace:\n  base-url: ftp://example.com\n",
        8,
        13,
        "marketplace.base-url",
        "http or https",
    ),
    (
        "base-url-typo",
        MINIMAL + "marketplace:\n  base_url: https://example.com\n",
        8,
        3,
        "marketplace.base_url",
        "unknown key 'base_url'",
    ),
    (
        "duplicate-key",
        MINIMAL.replace("app:\n", 'app:\n  version: "1.0"\n'),
        5,
        3,
        "app.version",
        "lines 3 and 5",
    ),
    ("duplicate-top-key", MINIMAL + "format: 1\n", 7, 1, "format", "lines 1 and 7"),
    (
        "version-trailing-space",
        MINIMAL.replace('"1.4.2"', '"1.4.2 "'),
        4,
        12,
        "app.version",
        "surrounding whitespace",
    ),
    (
        "key-with-space",
        MINIMAL.replace("com.example.hello", '"com.example hello"'),
        3,
        8,
        "app.key",
        "whitespace",
    ),
    (
        "python-tag",
        MINIMAL + "polling: !!python/object:os.system {}\n",
        7,
        10,
        "polling",
        "unsupported YAML tag",
    ),
    (
        "custom-tag",
        MINIMAL.replace("target/hello.jar", "!path target/hello.jar"),
        6,
        11,
        "artifacts[0].file",
        "unsupported YAML tag",
    ),
    (
        "merge-key",
        MINIMAL + "base: &b {timeout: 5}\npolling:\n  <<: *b\n",
        9,
        3,
        "polling",
        "merge keys",
    ),
    ("two-documents", MINIMAL + "---\nformat: 1\n", 7, 1, None, "single document"),
    ("unclosed-quote", MINIMAL.replace('"1.4.2"', '"1.4.2'), 4, 12, None, "YAML syntax error"),
    (
        "colon-in-value",
        arts("  - url: https://example.com/a.jar note: x\n"),
        6,
        None,
        None,
        "mapping values are not allowed",
    ),
    (
        "bad-indent",
        MINIMAL.replace("  version:", "   version:"),
        4,
        None,
        None,
        "YAML syntax error",
    ),
    ("empty-file", "", 1, 1, None, "is empty"),
    ("comments-only", "# nothing yet\n\n", 1, 1, None, "is empty"),
    (
        "control-character",
        MINIMAL.replace("hello.jar", "hello\x07.jar"),
        6,
        23,
        None,
        "control character U+0007",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "col", "field", "fragment"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_malformed_config_is_rejected_at_its_line(
    tmp_path: Path, text: str, line: int, col: int | None, field: str | None, fragment: str
) -> None:
    err = fail(tmp_path, text)
    assert err.location is not None
    assert err.location.file == str(tmp_path / "release.yml")
    assert err.location.line == line, err.render()
    if col is not None:
        assert err.location.col == col, err.render()
    assert err.location.field == field, err.render()
    assert fragment in err.message, err.render()


def test_enough_malformed_cases() -> None:
    assert len(CASES) >= 30


def test_unknown_key_hint_suggests_the_close_key(tmp_path: Path) -> None:
    err = fail(tmp_path, MINIMAL + "marketplace:\n  base_url: https://example.com\n")
    assert err.hint is not None and "did you mean 'base-url'?" in err.hint


def test_url_credentials_are_never_printed(tmp_path: Path) -> None:
    err = fail(tmp_path, arts("  - url: https://deploy:hunter2secret@example.com/a.jar\n"))
    assert "credentials in the URL" in err.message
    assert err.location is not None and err.location.field == "artifacts[0].url"
    assert "hunter2secret" not in err.render()
    assert "deploy" not in err.render()


def test_url_credentials_in_base_url_are_never_printed(tmp_path: Path) -> None:
    err = fail(tmp_path, MINIMAL + "marketplace:\n  base-url: https://me:pw1234@example.com\n")
    assert "credentials in the URL" in err.message
    assert "pw1234" not in err.render()
