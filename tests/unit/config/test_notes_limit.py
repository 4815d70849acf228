"""Length limits of the summary and release notes, checked before any upload, and the
opt-in truncate (issue 16, item 2); a paid-via-Atlassian version for two host products
(refused by the live API) refused in `check`."""

from __future__ import annotations

from pathlib import Path

import pytest

from release_publisher.config.notes_limit import fit_release_notes, truncate_notes
from release_publisher.errors import ConfigError
from release_publisher.limits import MAX_NOTES_CHARS
from release_publisher.release.changelog import notes_from_config

from .helpers import MINIMAL, fail, load

R = MINIMAL + "release:\n  artifact: artifact\n  hosting: datacenter\n"
# R is lines 1-9; its next line is 10.
LINK = "https://github.com/acme/hello/blob/main/CHANGELOG.md"


def _changelog(tmp_path: Path, body: str) -> None:
    (tmp_path / "CHANGELOG.md").write_text(
        f"# Changelog\n\n## [1.4.2]\n{body}\n## [1.4.1]\n- old\n"
    )


def _section(lines: int, width: int = 79) -> str:
    return "".join(f"- change {i:05d} " + "x" * (width - 15) + "\n" for i in range(lines))


def test_a_12599_character_changelog_section_is_refused_at_the_notes_file(
    tmp_path: Path,
) -> None:
    _changelog(tmp_path, _section(155, 80) + "- " + "x" * 42)
    cfg = load(tmp_path, R + "  notes: {file: CHANGELOG.md}\n")
    notes = notes_from_config(cfg)  # the section, as the release flow reads it
    assert notes is not None and len(notes) == 12_599
    with pytest.raises(ConfigError) as info:
        fit_release_notes(notes, cfg)
    err = info.value
    assert err.exit_code == 2
    assert "the section for version 1.4.2 in CHANGELOG.md is 12599 characters long" in (err.message)
    assert f"at most {MAX_NOTES_CHARS}" in err.message
    assert err.location is not None and err.location.field == "release.notes.file"
    assert (err.location.line, err.location.col) == (10, 17)
    assert "truncate: true" in (err.hint or "")


def test_notes_within_the_limit_are_sent_unchanged(tmp_path: Path) -> None:
    cfg = load(tmp_path, R + "  notes: {text: short}\n")
    assert fit_release_notes("- one\n- two", cfg) == ("- one\n- two", None)
    assert fit_release_notes(None, cfg) == (None, None)


def test_truncate_cuts_at_a_line_boundary_and_appends_the_link(tmp_path: Path) -> None:
    cfg = load(
        tmp_path,
        R + f"  max-length: {{notes: 500}}\n  notes: {{text: x, truncate: true, link: {LINK}}}\n",
    )
    notes = _section(20)  # 20 lines of 80 characters
    sent, warning = fit_release_notes(notes, cfg)
    assert sent is not None and warning is not None
    assert len(sent) <= 500
    body, tail = sent.rsplit("\n\n", 1)
    assert tail == f"[...] The full release notes: {LINK}"
    assert notes.startswith(body + "\n")  # whole lines from the top, nothing else
    assert body.count("\n") + 1 == 5
    assert "cut at a line boundary" in warning and str(len(notes)) in warning


def test_truncate_notes_edge_cases() -> None:
    assert truncate_notes("short", 100, LINK) == "short"
    only_link = truncate_notes("y" * 200, 120, LINK)
    assert only_link == f"[...] The full release notes: {LINK}"
    # trailing blank lines before the cut are dropped
    cut = truncate_notes("a\n\n\n" + "b" * 300, 100, LINK)
    assert cut == f"a\n\n[...] The full release notes: {LINK}"
    with pytest.raises(ValueError, match="link line"):
        truncate_notes("z" * 50, 20, LINK)


def test_inline_notes_over_the_limit_fail_at_load(tmp_path: Path) -> None:
    err = fail(tmp_path, R + "  max-length: {notes: 10}\n  notes: {text: " + "n" * 11 + "}\n")
    assert "release.notes.text is 11 characters long; at most 10" in err.message
    assert err.location is not None and err.location.field == "release.notes.text"


def test_truncate_needs_a_link_that_fits(tmp_path: Path) -> None:
    err = fail(tmp_path, R + "  notes: {text: x, truncate: true}\n")
    assert "needs release.notes.link" in err.message
    assert err.location is not None and err.location.field == "release.notes.truncate"
    err = fail(
        tmp_path,
        R + f"  max-length: {{notes: 30}}\n  notes: {{text: x, truncate: true, link: {LINK}}}\n",
    )
    assert "release.notes.link is too long" in err.message


def test_the_summary_limit_is_configurable(tmp_path: Path) -> None:
    err = fail(tmp_path, R + "  summary: " + "s" * 256 + "\n")
    assert "is 256 characters long; at most 255" in err.message
    cfg = load(tmp_path, R + "  max-length: {summary: 300}\n  summary: " + "s" * 256 + "\n")
    assert cfg.release is not None and cfg.release.summary_max_chars == 300
    err = fail(tmp_path, R + "  max-length: {summary: 10}\n  summary: " + "s" * 11 + "\n")
    assert err.location is not None and err.location.field == "release.summary"


def test_max_length_must_be_a_positive_whole_number(tmp_path: Path) -> None:
    err = fail(tmp_path, R + "  max-length: {notes: 0}\n")
    assert err.location is not None and err.location.field == "release.max-length.notes"
    err = fail(tmp_path, R + "  max-length: {notes: .nan}\n")
    assert "finite" in err.message


COMPAT_TWO = (
    "  compatibility:\n"
    "    - {parent-software-id: jira, min-build: 1, max-build: 2}\n"
    "    - {parent-software-id: confluence, min-build: 1, max-build: 2}\n"
)


def test_paid_via_atlassian_for_two_host_products_is_refused(tmp_path: Path) -> None:
    err = fail(tmp_path, R + "  payment-model: paid-via-atlassian\n" + COMPAT_TWO)
    assert "jira, confluence" in err.message
    assert "paid-via-atlassian" in err.message
    assert err.location is not None and err.location.field == "release.payment-model"
    assert err.location.line == 10


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(R + "  payment-model: paid-via-vendor\n" + COMPAT_TWO, id="vendor"),
        pytest.param(
            R + "  payment-model: paid-via-atlassian\n  compatibility:\n"
            "    - {parent-software-id: jira, min-build: 1, max-build: 2}\n",
            id="one-product",
        ),
    ],
)
def test_other_payment_models_or_one_product_load(tmp_path: Path, text: str) -> None:
    assert load(tmp_path, text).release is not None
