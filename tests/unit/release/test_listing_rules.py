"""Listing rules: the exact body of ``POST .../versions/{buildNumber}/listing`` (wire
words as the proven client sends them), what is carried over from the previous
version's listing, what Marketplace's answer means, and the plan's text."""

from __future__ import annotations

import json
from typing import Any

from release_publisher.config.model import ListingSpec
from release_publisher.release.listing_rules import (
    Screenshot,
    build_listing_body,
    build_listing_plan,
    carry_over,
    has_listing,
    listing_outcome,
)
from release_publisher.release.render import render_listing_plan

PATH = "/rest/3/app-software/dc-42/versions/101/listing"

#: a full listing as GET .../versions/{build}/listing may answer it (extra keys included)
FULL: dict[str, Any] = {
    "state": "PUBLIC",
    "approvalStatus": "APPROVED",
    "revision": 3,
    "screenshots": [{"imageId": "old-1", "caption": "Old board", "width": 10}],
    "highlights": [
        {
            "title": "Fast",
            "caption": "Really fast",
            "summary": "Boards load fast",
            "thumbnail": {"imageId": "thumb-1"},
            "screenshot": {"imageId": "hl-1", "caption": "Speed", "extra": 1},
            "unknown": "dropped",
        }
    ],
    "moreDetails": "<p>More</p>",
    "heroImage": {"imageId": "hero-1"},
    "youtubeId": "dQw4w9WgXcQ",
    "deploymentInstructions": [
        {"body": "Install it", "screenshot": {"imageId": "dep-1", "caption": "Step"}},
        {"body": "Restart", "screenshot": None},
    ],
    "developerLinks": {
        "documentation": "https://docs.example.com",
        "learnMore": "https://example.com",
        "eula": None,
        "purchase": "https://buy.example.com",
        "bonTermsSupported": True,
        "partnerSpecificTerms": "https://terms.example.com",
        "internal": "dropped",
    },
}


def test_the_body_speaks_the_proven_clients_words() -> None:
    body = build_listing_body(
        "private",
        [Screenshot("marketing/shots/01-board.png", None), Screenshot("b.png", "img-2")],
    )
    assert body == {
        "state": "PRIVATE",
        "revision": 1,
        "screenshots": [
            {"imageId": "<image ID of 01-board.png after upload>", "caption": "01-board"},
            {"imageId": "img-2", "caption": "b"},
        ],
    }


def test_a_listing_without_screenshots_sends_state_and_revision() -> None:
    assert build_listing_body("public", []) == {"state": "PUBLIC", "revision": 1}
    assert build_listing_body("public", None) == {"state": "PUBLIC", "revision": 1}


def test_carry_over_takes_exactly_the_proven_clients_fields() -> None:
    assert carry_over(FULL) == {
        "screenshots": [{"imageId": "old-1", "caption": "Old board"}],
        "highlights": [
            {
                "title": "Fast",
                "caption": "Really fast",
                "summary": "Boards load fast",
                "thumbnail": {"imageId": "thumb-1"},
                "screenshot": {"imageId": "hl-1", "caption": "Speed"},
            }
        ],
        "moreDetails": "<p>More</p>",
        "heroImage": {"imageId": "hero-1"},
        "youtubeId": "dQw4w9WgXcQ",
        "deploymentInstructions": [
            {"body": "Install it", "screenshot": {"imageId": "dep-1", "caption": "Step"}},
            {"body": "Restart"},
        ],
        "developerLinks": {
            "documentation": "https://docs.example.com",
            "learnMore": "https://example.com",
            "purchase": "https://buy.example.com",
            "bonTermsSupported": True,
            "partnerSpecificTerms": "https://terms.example.com",
        },
    }


def test_carry_over_leaves_out_what_has_the_wrong_shape() -> None:
    hostile = {"highlights": "not a list", "screenshots": [1, "x"], "developerLinks": [1]}
    assert carry_over(hostile) == {}
    assert carry_over(["not", "an", "object"]) == {}


def test_config_screenshots_replace_the_carried_ones_and_the_rest_is_carried() -> None:
    plan = build_listing_plan(
        ListingSpec("public", "screenshot"),
        [Screenshot("new.png", "img-new")],
        previous=FULL,
        previous_label="1.4.1 (build 100)",
    )
    assert plan.body["screenshots"] == [{"imageId": "img-new", "caption": "new"}]
    assert plan.body["highlights"] == carry_over(FULL)["highlights"]
    assert plan.body["developerLinks"] == carry_over(FULL)["developerLinks"]
    assert list(plan.body) == [
        "state",
        "revision",
        "screenshots",
        "highlights",
        "moreDetails",
        "heroImage",
        "youtubeId",
        "deploymentInstructions",
        "developerLinks",
    ]
    sources = {s.field: s.source for s in plan.sources}
    assert sources["screenshots"].startswith("config (the screenshot images) (replaces")
    assert sources["highlights"] == "copied from 1.4.1 (build 100)"
    assert plan.carried_from == "1.4.1 (build 100)"


def test_without_config_screenshots_the_previous_ones_are_carried() -> None:
    plan = build_listing_plan(ListingSpec("public"), [], previous=FULL, previous_label="1.4.1")
    assert plan.body["screenshots"] == [{"imageId": "old-1", "caption": "Old board"}]


def test_without_a_previous_listing_only_the_config_is_sent_and_the_plan_says_why() -> None:
    plan = build_listing_plan(
        ListingSpec("public", "screenshot"),
        [Screenshot("a.png", None)],
        no_previous_reason="release.copy-from-previous is false",
    )
    assert plan.body == {
        "state": "PUBLIC",
        "revision": 1,
        "screenshots": [{"imageId": "<image ID of a.png after upload>", "caption": "a"}],
    }
    assert plan.has_placeholders and plan.carried_from is None
    lines = render_listing_plan(PATH, plan)
    assert lines[0] == (
        "Listing: state, screenshots from the config; nothing carried over "
        "(release.copy-from-previous is false)"
    )
    assert (
        "  highlights = (not sent)  [not sent: not carried over: "
        "release.copy-from-previous is false]"
    ) in lines
    start = lines.index(f"Request: POST {PATH}") + 1
    assert json.loads("\n".join(lines[start:])) == plan.body


def test_the_plan_text_names_what_was_carried_over_from_where() -> None:
    plan = build_listing_plan(
        ListingSpec("public", "screenshot"),
        [Screenshot("new.png", "i")],
        previous=FULL,
        previous_label="1.4.1 (build 100)",
    )
    head = render_listing_plan(PATH, plan)[0]
    assert head == (
        "Listing: state, screenshots from the config; highlights, moreDetails, heroImage, "
        "youtubeId, deploymentInstructions, developerLinks carried over from 1.4.1 (build 100)"
    )


def test_a_get_answer_is_a_listing_only_with_a_state() -> None:
    assert has_listing(FULL)
    assert not has_listing({})
    assert not has_listing({"state": ""})
    assert not has_listing([FULL])


def test_outcomes_rejected_other_state_submitted_and_case() -> None:
    rejected = listing_outcome("PUBLIC", {"state": "private", "approvalStatus": "rejected"})
    assert rejected.problem is not None and "asked PUBLIC" in rejected.problem
    assert "'private'" in rejected.problem and "'rejected'" in rejected.problem
    other = listing_outcome("PUBLIC", {"state": "PRIVATE", "approvalStatus": "APPROVED"})
    assert other.problem is not None and "asked PUBLIC, got state 'PRIVATE'" in other.problem
    waiting = listing_outcome("PUBLIC", {"state": "PRIVATE", "approvalStatus": "SUBMITTED"})
    assert waiting == (True, None)
    assert listing_outcome("PUBLIC", {"state": "public", "approvalStatus": "approved"}) == (
        False,
        None,
    )
    assert listing_outcome("PUBLIC", {"approvalStatus": "APPROVED"}).problem is not None
