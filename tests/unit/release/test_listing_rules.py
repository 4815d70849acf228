"""Listing rules: the exact body of ``POST .../versions/{buildNumber}/listing`` and its
dry-run text."""

from __future__ import annotations

import json

from release_publisher.release.listing_rules import Screenshot, build_listing_body
from release_publisher.release.render import render_listing_plan

PATH = "/rest/3/app-software/dc-42/versions/101/listing"


def test_screenshots_become_image_ids_with_captions_and_placeholders_before_upload() -> None:
    body = build_listing_body(
        "private",
        [Screenshot("marketing/shots/01-board.png", None), Screenshot("b.png", "img-2")],
    )
    assert body == {
        "state": "private",
        "screenshots": [
            {"imageId": "<image ID of 01-board.png after upload>", "caption": "01-board"},
            {"imageId": "img-2", "caption": "b"},
        ],
    }
    lines = render_listing_plan(PATH, body)
    assert lines[0] == f"Request: POST {PATH}"
    assert json.loads("\n".join(lines[1:])) == body


def test_a_listing_without_screenshots_sends_only_its_state() -> None:
    assert build_listing_body("public", []) == {"state": "public"}
    assert build_listing_body("public", None) == {"state": "public"}


def test_no_listing_configured_is_said_in_the_plan() -> None:
    assert render_listing_plan(PATH, None) == ["Listing: not published (no release.listing)"]
