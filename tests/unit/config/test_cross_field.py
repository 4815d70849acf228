"""Rules across fields that the schema cannot say (the ``release:`` section's
references to artifacts and image types)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .helpers import MINIMAL, fail, load


def test_screenshots_type_without_any_images(tmp_path: Path) -> None:
    err = fail(
        tmp_path,
        MINIMAL + "release:\n  artifact: artifact\n  hosting: cloud\n"
        "  listing: {screenshots: screenshot}\n",
    )
    assert "the config has no images" in err.message


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        pytest.param("https://api.example.com/marketplace?x=1", "query or fragment", id="query"),
        pytest.param("https://api.example.com/marketplace#top", "query or fragment", id="fragment"),
        pytest.param("http://api.example.com/marketplace", "plain http://", id="plain-http"),
        pytest.param("http://10.0.0.1:8080/", "plain http://", id="plain-http-ip"),
    ],
)
def test_base_url_is_checked_by_the_one_rule_at_its_line(
    tmp_path: Path, url: str, fragment: str
) -> None:
    """The rule of `--base-url` and the client (urls.check_base_url), at file:line (15.14)."""
    err = fail(tmp_path, MINIMAL + f"marketplace:\n  base-url: {url}\n")
    assert fragment in err.message
    assert err.location is not None
    assert (err.location.line, err.location.col) == (8, 13)
    assert err.location.field == "marketplace.base-url"
    assert err.location.file == str(tmp_path / "release.yml")
    assert "?x=1" not in err.render()  # a query may carry secrets: never shown


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080", "http://localhost:9000/mp/", "https://api.atlassian.com/marketplace"],
)
def test_base_urls_the_rule_allows_still_load(tmp_path: Path, url: str) -> None:
    cfg = load(tmp_path, MINIMAL + f"marketplace:\n  base-url: {url}\n")
    assert cfg.base_url == url.rstrip("/")


def test_a_notes_file_that_is_a_fifo_is_refused_before_reading(tmp_path: Path) -> None:
    """Reading a FIFO as the changelog would block the run forever (issue 15.3)."""
    os.mkfifo(tmp_path / "CHANGELOG.md")
    err = fail(
        tmp_path,
        MINIMAL + "release:\n  artifact: artifact\n  hosting: datacenter\n"
        "  notes: {file: CHANGELOG.md}\n",
    )
    assert "is not a regular file" in err.message
    assert err.location is not None and err.location.field == "release.notes.file"
