"""The optional ``release:`` section: parsed into a VersionSpec with locations, and every
mistake reported at its file:line:col with the field, the bad value and a fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from release_publisher.config import SCHEMA_PATH
from release_publisher.config.model import Compatibility, ListingSpec, VersionSpec
from release_publisher.errors import Location

from .helpers import MINIMAL, fail, load

BASE = """\
format: 1
app:
  key: com.example.hello
  version: "1.4.2"
artifacts:
  - name: server
    file: target/hello.jar
  - name: dc
    file: target/hello-dc.jar
images:
  - type: screenshot
    file: shots/*.png
"""
# BASE is lines 1-12; "release:" below is line 13, its first key line 14.

FULL_RELEASE = """\
release:
  artifact: server
  hosting: datacenter
  build-number: 1004002
  copy-from-previous: false
  compatibility:
    - {parent-software-id: "jira", min-build: 900000, max-build: 1000000}
    - parent-software-id: confluence
      min-build: 8000
      max-build: 8000
  payment-model: paid-via-atlassian
  license-type: commercial
  beta: true
  supported: false
  summary: "Fixes a crash on start"
  notes: {file: CHANGELOG.md}
  agreements: [https://example.com/agreement]
  listing:
    state: private
    screenshots: screenshot
"""


def with_release(tmp_path: Path, release: str) -> str:
    (tmp_path / "CHANGELOG.md").write_text("## [1.4.2]\n- fixed\n")
    return BASE + release


def test_full_section(tmp_path: Path) -> None:
    cfg = load(tmp_path, with_release(tmp_path, FULL_RELEASE))
    assert cfg.release == VersionSpec(
        artifact="server",
        hosting="datacenter",
        build_number=1004002,
        copy_from_previous=False,
        compatibility=(
            Compatibility("jira", 900000, 1000000),
            Compatibility("confluence", 8000, 8000),
        ),
        payment_model="paid-via-atlassian",
        license_type="commercial",
        beta=True,
        supported=False,
        summary="Fixes a crash on start",
        notes_file="CHANGELOG.md",
        notes_text=None,
        agreements=("https://example.com/agreement",),
        listing=ListingSpec(state="private", screenshots="screenshot"),
    )
    assert cfg.release.stated >= {"beta", "supported", "listing.state", "notes.file"}
    file = str(tmp_path / "release.yml")
    assert cfg.where("release.hosting") == Location(file, 15, 12, "release.hosting")
    assert cfg.where("release.compatibility[0].max-build") == Location(
        file, 19, 66, "release.compatibility[0].max-build"
    )
    assert cfg.where("release.listing.screenshots") == Location(
        file, 32, 18, "release.listing.screenshots"
    )
    assert cfg.where("release").line == 13


def test_minimal_section_defaults(tmp_path: Path) -> None:
    cfg = load(tmp_path, BASE + "release: {artifact: dc, hosting: server}\n")
    assert cfg.release == VersionSpec(artifact="dc", hosting="server")
    assert cfg.release.build_number == "auto" and cfg.release.copy_from_previous
    assert (cfg.release.beta, cfg.release.supported, cfg.release.listing) == (False, True, None)
    assert cfg.release.stated == {"artifact", "hosting"}


def test_format_1_without_the_section_is_unchanged(tmp_path: Path) -> None:
    assert load(tmp_path, MINIMAL).release is None


def test_unnamed_artifact_is_named_artifact(tmp_path: Path) -> None:
    cfg = load(tmp_path, MINIMAL + "release: {artifact: artifact, hosting: cloud}\n")
    assert cfg.release is not None and cfg.release.artifact == "artifact"


def test_interpolated_build_number_and_booleans(tmp_path: Path) -> None:
    text = BASE + (
        "release:\n  artifact: server\n  hosting: datacenter\n"
        "  build-number: ${BUILD:-auto}\n  beta: ${BETA:-false}\n  listing: {}\n"
    )
    cfg = load(tmp_path, text, env={"BUILD": "77", "BETA": "true"})
    assert cfg.release is not None
    assert (cfg.release.build_number, cfg.release.beta) == (77, True)
    assert cfg.release.listing == ListingSpec()
    cfg = load(tmp_path, text, env={})
    assert cfg.release is not None and (cfg.release.build_number, cfg.release.beta) == (
        "auto",
        False,
    )


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


def test_screenshots_type_without_any_images(tmp_path: Path) -> None:
    err = fail(
        tmp_path,
        MINIMAL + "release:\n  artifact: artifact\n  hosting: cloud\n"
        "  listing: {screenshots: screenshot}\n",
    )
    assert "the config has no images" in err.message


def test_several_cross_field_mistakes_are_reported_together(tmp_path: Path) -> None:
    err = fail(
        tmp_path,
        BASE + "release:\n  artifact: nope\n  hosting: server\n  listing: {screenshots: x}\n",
    )
    assert err.location is not None and err.location.line == 14
    assert "also:" in err.message and "release.listing.screenshots" in err.message


def _walk(node: Any, path: str) -> list[str]:
    """Paths of schema properties without a description."""
    out: list[str] = []
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            if "description" not in sub:
                out.append(f"{path}.{name}")
        for key, value in node.items():
            out.extend(_walk(value, f"{path}/{key}"))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.extend(_walk(value, f"{path}[{i}]"))
    return out


def test_release_schema_describes_every_property_and_closes_every_object() -> None:
    schema = json.loads(SCHEMA_PATH.read_text())
    release = schema["properties"]["release"]
    assert _walk(release, "release") == []
    assert _walk(schema["$defs"]["compatibility"], "compatibility") == []
    for obj in (
        release,
        release["properties"]["notes"],
        release["properties"]["listing"],
        schema["$defs"]["compatibility"],
    ):
        assert obj["additionalProperties"] is False
