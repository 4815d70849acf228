"""Several problems are reported together in one error, first one first."""

from __future__ import annotations

from pathlib import Path

from .helpers import BASE, arts, fail


def test_several_problems_are_listed_first_one_first(tmp_path: Path) -> None:
    text = arts("  - name: Bad\n    file: a.jar\n") + "images:\n  - type: Icon\n    file: i.png\n"
    err = fail(tmp_path, text)
    assert err.location is not None and err.location.field == "artifacts[0].name"
    assert "also:" in err.message and "images[0].type" in err.message


def test_several_cross_field_mistakes_are_reported_together(tmp_path: Path) -> None:
    err = fail(
        tmp_path,
        BASE + "release:\n  artifact: nope\n  hosting: server\n  listing: {screenshots: x}\n",
    )
    assert err.location is not None and err.location.line == 14
    assert "also:" in err.message and "release.listing.screenshots" in err.message
