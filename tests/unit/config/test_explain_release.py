"""Mistakes in the ``release:`` section are refused at their file:line:col with a message
and hint in the user's terms (booleans, whole numbers, enums, build-number, notes, and
the cross-field rules)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import fail, with_release

R = "release:\n  artifact: server\n  hosting: datacenter\n"
# R is lines 13-15; a key appended to it is line 16.


# (id, release text, line, col, field, message fragment, hint fragment)
CASES: list[tuple[str, str, int, int, str, str, str]] = [
    ("not-a-mapping", "release: server\n", 13, 10, "release", "must be a mapping", "key: value"),
    (
        "artifact-missing",
        "release: {hosting: cloud}\n",
        13,
        1,
        "release.artifact",
        "release.artifact is missing",
        'artifact: "server"',
    ),
    (
        "unknown-key",
        R + "  compatability: []\n",
        16,
        3,
        "release.compatability",
        "unknown key 'compatability' in release",
        "did you mean 'compatibility'?",
    ),
    (
        "artifact-unknown",
        R.replace("artifact: server", "artifact: srv"),
        14,
        13,
        "release.artifact",
        "'srv' is not the name of an artifact (artifacts: server, dc)",
        "did you mean 'server'?",
    ),
    (
        "artifact-pattern",
        R.replace("artifact: server", "artifact: Server"),
        14,
        13,
        "release.artifact",
        "must be an artifact name",
        "server, dc",
    ),
    (
        "hosting-variant",
        R.replace("hosting: datacenter", "hosting: DATA_CENTER"),
        15,
        12,
        "release.hosting",
        "must be one of cloud, server, datacenter; got 'DATA_CENTER'",
        "did you mean 'datacenter'?",
    ),
    (
        "build-number-zero",
        R + "  build-number: 0\n",
        16,
        17,
        "release.build-number",
        "must be auto or a whole number >= 1, got 0",
        "build-number: auto",
    ),
    (
        "build-number-quoted",
        R + '  build-number: "12"\n',
        16,
        17,
        "release.build-number",
        "got '12'",
        "remove the quotes: build-number: 12",
    ),
    (
        "build-number-word",
        R + "  build-number: latest\n",
        16,
        17,
        "release.build-number",
        "got 'latest'",
        "build-number: auto",
    ),
    (
        "beta-quoted",
        R + '  beta: "true"\n',
        16,
        9,
        "release.beta",
        "must be true or false, got 'true'",
        "remove the quotes: beta: true",
    ),
    (
        "copy-not-bool",
        R + "  copy-from-previous: always\n",
        16,
        23,
        "release.copy-from-previous",
        "must be true or false",
        "copy-from-previous: true",
    ),
    (
        "compat-empty",
        R + "  compatibility: []\n",
        16,
        3,
        "release.compatibility",
        "is empty: at least one entry is needed",
        "parent-software-id",
    ),
    (
        "compat-key-missing",
        R + "  compatibility:\n    - {parent-software-id: jira, min-build: 1}\n",
        17,
        7,
        "release.compatibility[0].max-build",
        "max-build is missing",
        "max-build: 1000000",
    ),
    (
        "compat-negative",
        R + "  compatibility:\n    - {parent-software-id: jira, min-build: -1, max-build: 5}\n",
        17,
        45,
        "release.compatibility[0].min-build",
        "must be >= 0, got -1",
        "min-build",
    ),
    (
        "compat-quoted-number",
        R + '  compatibility:\n    - {parent-software-id: jira, min-build: "1", max-build: 5}\n',
        17,
        45,
        "release.compatibility[0].min-build",
        "must be a whole number, got '1'",
        "remove the quotes: min-build: 1",
    ),
    (
        "compat-min-over-max",
        R + "  compatibility:\n    - {parent-software-id: jira, min-build: 9, max-build: 5}\n",
        17,
        45,
        "release.compatibility[0].min-build",
        "min-build 9 is greater than max-build 5",
        "swap",
    ),
    (
        "compat-duplicate-product",
        R + "  compatibility:\n    - {parent-software-id: jira, min-build: 1, max-build: 5}\n"
        "    - {parent-software-id: jira, min-build: 6, max-build: 9}\n",
        18,
        28,
        "release.compatibility[1].parent-software-id",
        "are both for 'jira'",
        "one entry per host product",
    ),
    (
        "compat-product-number",
        R + "  compatibility:\n    - {parent-software-id: 7, min-build: 1, max-build: 5}\n",
        17,
        28,
        "release.compatibility[0].parent-software-id",
        "must be a string",
        'quote it: parent-software-id: "7"',
    ),
    (
        "payment-model",
        R + "  payment-model: paid\n",
        16,
        18,
        "release.payment-model",
        "must be one of free, paid-via-atlassian, paid-via-vendor; got 'paid'",
        "write one of",
    ),
    (
        "license-number",
        R + "  license-type: 123\n",
        16,
        17,
        "release.license-type",
        "must be a string",
        'quote it: license-type: "123"',
    ),
    (
        "summary-too-long",
        R + f"  summary: {'x' * 256}\n",
        16,
        12,
        "release.summary",
        "is 256 characters long; at most 255",
        "release.notes",
    ),
    (
        "summary-bool",
        R + "  summary: yes\n",
        16,
        12,
        "release.summary",
        "must be a string",
        'quote it: summary: "yes"',
    ),
    (
        "notes-both",
        R + "  notes: {file: CHANGELOG.md, text: x}\n",
        16,
        3,
        "release.notes",
        "has both file and text",
        "exactly one",
    ),
    (
        "notes-neither",
        R + "  notes: {}\n",
        16,
        3,
        "release.notes",
        "has neither file nor text",
        "CHANGELOG.md",
    ),
    (
        "notes-file-missing",
        R + "  notes: {file: docs/CHANGES.md}\n",
        16,
        17,
        "release.notes.file",
        "'docs/CHANGES.md' does not exist",
        "relative to the config file's directory",
    ),
    (
        "notes-file-is-dir",
        R + "  notes: {file: shots}\n",
        16,
        17,
        "release.notes.file",
        "is a directory",
        "CHANGELOG.md",
    ),
    (
        "agreement-scheme",
        R + "  agreements: [ftp://example.com/a]\n",
        16,
        16,
        "release.agreements[0]",
        "must be an http or https URL",
        "https://",
    ),
    (
        "agreement-twice",
        R + "  agreements: [https://e.com/a, https://e.com/a]\n",
        16,
        3,
        "release.agreements",
        "the same URL more than once",
        "once",
    ),
    (
        "listing-state",
        R + "  listing: {state: hidden}\n",
        16,
        20,
        "release.listing.state",
        "must be one of public, private; got 'hidden'",
        "public, private",
    ),
    (
        "listing-screenshots-unknown",
        R + "  listing: {screenshots: screenshots}\n",
        16,
        26,
        "release.listing.screenshots",
        "names the image type 'screenshots', which no images[] entry has (image types: screenshot)",
        "add an images[] entry with type: screenshots",
    ),
]


@pytest.mark.parametrize(
    ("release", "line", "col", "field", "message", "hint"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_release_section_errors(
    tmp_path: Path, release: str, line: int, col: int, field: str, message: str, hint: str
) -> None:
    (tmp_path / "shots").mkdir()
    err = fail(tmp_path, with_release(tmp_path, release))
    assert err.location is not None
    assert (err.location.line, err.location.col, err.location.field) == (line, col, field)
    assert message in err.message
    assert err.hint is not None and hint in err.hint
    assert err.render().startswith(
        f"ConfigError: {tmp_path / 'release.yml'}:{line}:{col} ({field}): "
    )
