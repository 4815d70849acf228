"""Release notes: the section of one version in a Keep a Changelog style file."""

from __future__ import annotations

from pathlib import Path

import pytest

from release_publisher.config import load_config
from release_publisher.errors import ConfigError
from release_publisher.release.changelog import (
    MAX_CHANGELOG_BYTES,
    notes_for_version,
    notes_from_config,
)

KEEP_A_CHANGELOG = """\
# Changelog

All notable changes to this project are documented here.

## [Unreleased]
- Work in progress

## [1.4.20] - 2026-12-24
- Not this one

## [1.4.2] - 2026-11-30
### Fixed
- A crash on start

### Added
- A setting

## [1.4.1] - 2026-10-01
- Older

[1.4.2]: https://example.com/compare/v1.4.1...v1.4.2
[1.4.1]: https://example.com/compare/v1.4.0...v1.4.1
"""


def test_keep_a_changelog_section_includes_subsections_and_stops_at_the_next_version() -> None:
    assert notes_for_version(KEEP_A_CHANGELOG, "1.4.2") == (
        "### Fixed\n- A crash on start\n\n### Added\n- A setting"
    )


def test_the_last_section_drops_the_trailing_link_definitions() -> None:
    assert notes_for_version(KEEP_A_CHANGELOG, "1.4.1") == "- Older"


@pytest.mark.parametrize(
    "heading",
    [
        "## [1.4.2] - 2026-11-30",
        "## [v1.4.2] - 2026-11-30",
        "## [1.4.2](https://example.com/compare/v1.4.1...v1.4.2) - 2026-11-30",
        "## 1.4.2",
        "## 1.4.2 (2026-11-30)",
        "## v1.4.2",
        "## V1.4.2 ##",
        "# 1.4.2",
        "### 1.4.2: the crash fix",
        "   ## 1.4.2",
        "## Version 1.4.2",
        "## release 1.4.2",
    ],
)
def test_heading_variants(heading: str) -> None:
    level = heading.lstrip().split()[0]
    text = f"# Changes\n\n{heading}\n\n- fixed\n\n{level} 1.4.1\n- old\n"
    assert notes_for_version(text, "1.4.2") == "- fixed"


@pytest.mark.parametrize(
    "heading",
    ["## 1.4.20", "## [1.4.2-beta]", "## 1.4.2-beta", "## 11.4.2", "## 1.4", "## x1.4.2", "1.4.2"],
)
def test_other_versions_do_not_match(heading: str) -> None:
    assert notes_for_version(f"{heading}\n- text\n", "1.4.2") is None


def test_a_top_level_heading_section_runs_over_lower_level_headings() -> None:
    text = "# 2.0.0\nintro\n## Breaking\n- removed X\n# 1.0.0\n- first\n"
    assert notes_for_version(text, "2.0.0") == "intro\n## Breaking\n- removed X"


def test_a_lower_level_heading_section_stops_at_a_higher_level_heading() -> None:
    text = "## 2.0.0\n- a\n# Older releases\n## 1.0.0\n- b\n"
    assert notes_for_version(text, "2.0.0") == "- a"


def test_headings_inside_fenced_code_do_not_end_the_section() -> None:
    text = "## 1.4.2\nRun:\n```sh\n## 1.4.1 is not a heading here\necho hi\n```\nDone\n## 1.4.1\n"
    assert notes_for_version(text, "1.4.2") == (
        "Run:\n```sh\n## 1.4.1 is not a heading here\necho hi\n```\nDone"
    )


def test_crlf_and_empty_section() -> None:
    assert notes_for_version("## 1.4.2\r\n- a\r\n\r\n## 1.4.1\r\n", "1.4.2") == "- a"
    assert notes_for_version("## 1.4.2\n\n## 1.4.1\n- b\n", "1.4.2") == ""


def test_the_first_matching_heading_wins() -> None:
    assert notes_for_version("## 1.0\n- new\n## 1.0\n- dup\n", "1.0") == "- new"


def test_input_is_bounded() -> None:
    with pytest.raises(ValueError, match="longer than"):
        notes_for_version("x" * (MAX_CHANGELOG_BYTES + 1), "1.0")


CONFIG = """\
format: 1
app: {key: com.example.hello, version: "1.4.2"}
artifacts: [{name: server, file: hello.jar}]
release:
  artifact: server
  hosting: datacenter
  notes: {file: CHANGELOG.md}
"""


def _config(tmp_path: Path, changelog: bytes, version: str | None = None) -> ConfigError | str:
    (tmp_path / "CHANGELOG.md").write_bytes(changelog)
    (tmp_path / "release.yml").write_text(CONFIG)
    cfg = load_config(tmp_path / "release.yml", env={}, version_override=version)
    try:
        notes = notes_from_config(cfg)
    except ConfigError as exc:
        return exc
    assert notes is not None
    return notes


def test_notes_from_config_reads_the_section_of_the_release_version(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + KEEP_A_CHANGELOG.encode()
    assert _config(tmp_path, data) == "### Fixed\n- A crash on start\n\n### Added\n- A setting"
    assert _config(tmp_path, data, version="v1.4.1") == "- Older"


def test_notes_from_config_errors_point_at_the_notes_file_field(tmp_path: Path) -> None:
    err = _config(tmp_path, KEEP_A_CHANGELOG.encode(), version="9.9.9")
    assert isinstance(err, ConfigError)
    assert "CHANGELOG.md has no section for version 9.9.9" in err.message
    assert err.hint is not None and "## [9.9.9]" in err.hint
    assert err.location is not None
    assert (err.location.line, err.location.field) == (7, "release.notes.file")

    err = _config(tmp_path, b"## 1.4.2\n\n## 1.4.1\n")
    assert isinstance(err, ConfigError) and "is empty" in err.message

    err = _config(tmp_path, b"## 1.4.2\n\xff\xfe\n")
    assert isinstance(err, ConfigError) and "not valid UTF-8" in err.message

    err = _config(tmp_path, b"x" * (MAX_CHANGELOG_BYTES + 1))
    assert isinstance(err, ConfigError) and "larger than" in err.message


def test_notes_text_and_no_notes(tmp_path: Path) -> None:
    (tmp_path / "release.yml").write_text(
        CONFIG.replace("notes: {file: CHANGELOG.md}", 'notes: {text: "- inline"}')
    )
    assert notes_from_config(load_config(tmp_path / "release.yml", env={})) == "- inline"
    (tmp_path / "release.yml").write_text(CONFIG.replace("  notes: {file: CHANGELOG.md}\n", ""))
    assert notes_from_config(load_config(tmp_path / "release.yml", env={})) is None
