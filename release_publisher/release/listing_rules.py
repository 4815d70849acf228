"""The rules of a version's listing, and the exact request body: pure functions over
plain data (no HTTP, no clock, no disk).

- :func:`carry_over`: what of the previous version's listing (``GET
  .../versions/{buildNumber}/listing``) goes onto the new version, field by field as
  the one release client known to run in production (allure-bamboo's
  ``scripts/publish-marketplace.sh``) takes it;
- :func:`build_listing_plan`: the body of ``POST /rest/3/app-software/{appSoftwareId}/
  versions/{buildNumber}/listing`` with where every field came from (the config's
  ``release.listing`` replaces what is carried over);
- :func:`listing_outcome`: what Marketplace's answer means (published, awaiting
  approval, or a failure naming asked vs got); :func:`has_listing`: whether a GET
  answer is a listing at all.

The listing stage (:mod:`release_publisher.release.listing`) calls these before the
uploads (placeholders for the image IDs, to print) and after them (the IDs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, NamedTuple

from ..config.model import ListingSpec
from .rules import FieldSource

#: the config's lowercase state word -> the wire word (the proven client sends
#: ``"PUBLIC"``; Marketplace reports ``PUBLIC``/``PRIVATE``)
WIRE_STATES = {"public": "PUBLIC", "private": "PRIVATE"}
#: the fields carried over from the previous version's listing, in the proven client's order
CARRIED_FIELDS = (
    "screenshots",
    "highlights",
    "moreDetails",
    "heroImage",
    "youtubeId",
    "deploymentInstructions",
    "developerLinks",
)
#: the sub-fields of ``developerLinks`` the proven client carries over
DEVELOPER_LINKS = (
    "documentation",
    "learnMore",
    "eula",
    "purchase",
    "bonTermsSupported",
    "partnerSpecificTerms",
)
#: approval words (uppercased) that mean "published, awaiting Atlassian's approval"
AWAITING_APPROVAL = ("SUBMITTED",)
REJECTED = "REJECTED"


class Screenshot(NamedTuple):
    """A listing screenshot: ``file`` the uploaded file's name or path, ``image_id`` the
    uploaded image's ID (None before the upload: a placeholder is shown), ``caption``
    its caption (None: the file name without extension)."""

    file: str
    image_id: str | None
    caption: str | None = None


def build_listing_body(state: str, screenshots: Sequence[Screenshot] | None) -> dict[str, Any]:
    """The config's own part of the listing body: ``{"state": "PUBLIC"|"PRIVATE",
    "revision": 1, "screenshots": [{"imageId", "caption"}]}``; ``state`` is the config
    word (``public``/``private``, any case), sent uppercase; ``revision`` 1 as the
    proven client sends on a first publish (this tool publishes a version's listing
    once: it reads it first). The caption is the screenshot's ``caption`` (default:
    the file name without extension), in the given (upload) order. ``screenshots``
    None or empty: no ``screenshots`` key. A missing image ID becomes the placeholder
    ``"<image ID of NAME after upload>"``."""
    body: dict[str, Any] = {"state": wire_state(state), "revision": 1}
    if screenshots:
        body["screenshots"] = [
            {
                "imageId": s.image_id
                if s.image_id is not None
                else f"<image ID of {PurePath(s.file).name} after upload>",
                "caption": s.caption if s.caption is not None else PurePath(s.file).stem,
            }
            for s in screenshots
        ]
    return body


def wire_state(state: str) -> str:
    """``public`` -> ``PUBLIC``, ``private`` -> ``PRIVATE`` (any case in)."""
    return WIRE_STATES.get(state.lower(), state.upper())


def _strip_nulls(value: Any) -> Any:
    """``value`` without null members, recursively (jq ``del(.. | select(. == null))``)."""
    if isinstance(value, dict):
        return {k: _strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_nulls(v) for v in value if v is not None]
    return value


def _image(value: Any) -> dict[str, Any] | None:
    """``{imageId, caption}`` of an image reference object; None when not an object."""
    if not isinstance(value, dict):
        return None
    return {"imageId": value.get("imageId"), "caption": value.get("caption")}


def _objects(value: Any) -> list[dict[str, Any]] | None:
    """The object entries of a list (None when ``value`` is not a list)."""
    if not isinstance(value, list):
        return None
    return [v for v in value if isinstance(v, dict)]


def carry_over(previous: Any) -> dict[str, Any]:
    """The fields of ``previous`` (a ``GET .../versions/{buildNumber}/listing`` answer,
    hostile until checked) that go onto the new version's listing, exactly as the
    proven client's jq takes them: ``screenshots`` [{imageId, caption}], ``highlights``
    [{title, caption, summary, thumbnail, screenshot: {imageId, caption}}],
    ``moreDetails``, ``heroImage``, ``youtubeId`` (as they are),
    ``deploymentInstructions`` [{body, screenshot?: {imageId, caption}}],
    ``developerLinks`` {documentation, learnMore, eula, purchase, bonTermsSupported,
    partnerSpecificTerms}; nulls removed. A field of the wrong shape (a highlights
    that is not a list, an entry that is not an object) is left out, never guessed.
    Not an object: nothing."""
    if not isinstance(previous, dict):
        return {}
    out: dict[str, Any] = {}
    shots = _objects(previous.get("screenshots"))
    if shots is not None:
        out["screenshots"] = [_image(s) for s in shots]
    highlights = _objects(previous.get("highlights"))
    if highlights is not None:
        out["highlights"] = [
            {
                "title": h.get("title"),
                "caption": h.get("caption"),
                "summary": h.get("summary"),
                "thumbnail": h.get("thumbnail"),
                "screenshot": _image(h.get("screenshot")),
            }
            for h in highlights
        ]
    for name in ("moreDetails", "heroImage", "youtubeId"):
        out[name] = previous.get(name)
    steps = _objects(previous.get("deploymentInstructions"))
    if steps is not None:
        out["deploymentInstructions"] = [
            {"body": d.get("body")}
            | ({"screenshot": _image(d["screenshot"])} if d.get("screenshot") else {})
            for d in steps
        ]
    links = previous.get("developerLinks")
    if isinstance(links, dict):
        out["developerLinks"] = {k: links.get(k) for k in DEVELOPER_LINKS}
    cleaned: dict[str, Any] = _strip_nulls(out)
    return {k: v for k, v in cleaned.items() if v not in ({}, [])}


@dataclass(frozen=True)
class ListingPlan:
    """The listing to publish, and why: ``body`` the exact JSON body of ``POST
    .../versions/{buildNumber}/listing``; ``sources`` one entry per body field (and per
    carried field not sent) saying where it came from; ``carried_from`` the label of
    the version whose listing was carried over (None: nothing carried);
    ``has_placeholders`` True while a screenshot image ID is a ``<...>`` placeholder;
    ``not_carried`` why nothing was carried over (None when something was)."""

    body: dict[str, Any]
    sources: list[FieldSource]
    carried_from: str | None
    has_placeholders: bool
    not_carried: str | None = None


def build_listing_plan(
    listing: ListingSpec,
    screenshots: Sequence[Screenshot],
    *,
    previous: Any = None,
    previous_label: str | None = None,
    no_previous_reason: str | None = None,
) -> ListingPlan:
    """Plan the listing of ``release.listing`` (``listing``) with ``screenshots`` (the
    images of ``listing.screenshots`` in upload order).

    ``previous`` is the previous version's listing as read (None: none read; see
    ``no_previous_reason``, e.g. ``"release.copy-from-previous is false"``) and
    ``previous_label`` that version (``"1.4.1 (build 100)"``). Every field of
    :func:`carry_over` is carried over; what the config sets replaces it: ``state``
    (always), ``revision`` (1) and ``screenshots`` (when ``listing.screenshots`` names an
    image type). Body order: the proven client's (state, revision, screenshots,
    highlights, moreDetails, heroImage, youtubeId, deploymentInstructions,
    developerLinks). Pure and deterministic."""
    own = build_listing_body(listing.state, screenshots if listing.screenshots else None)
    carried = carry_over(previous) if previous is not None else {}
    copied = f"copied from {previous_label or 'the previous version'}"
    sources = [
        FieldSource("state", own["state"], f"config (release.listing.state: {listing.state})"),
        FieldSource("revision", 1, "1 on the first publish, as the proven client sends it"),
    ]
    body: dict[str, Any] = {"state": own["state"], "revision": 1}
    why_none = (
        f"{previous_label or 'the previous version'} has no {{}} to carry over"
        if previous is not None
        else f"not carried over: {no_previous_reason or 'no previous listing'}"
    )
    for name in CARRIED_FIELDS:
        if name == "screenshots" and "screenshots" in own:
            body[name] = own["screenshots"]
            replaced = " (replaces the carried-over ones)" if name in carried else ""
            sources.append(
                FieldSource(
                    name,
                    body[name],
                    f"config (the {listing.screenshots} images){replaced}",
                )
            )
        elif name in carried:
            body[name] = carried[name]
            sources.append(FieldSource(name, carried[name], copied))
        else:
            reason = why_none.format(name) if previous is not None else why_none
            sources.append(FieldSource(name, None, f"not sent: {reason}"))
    placeholders = any(s.image_id is None for s in screenshots) and bool(listing.screenshots)
    if carried:
        not_carried = None
    elif previous is not None:
        not_carried = f"{previous_label or 'the previous version'}'s listing has nothing to carry"
    else:
        not_carried = no_previous_reason or "no previous listing"
    return ListingPlan(
        body=body,
        sources=sources,
        carried_from=previous_label if carried else None,
        has_placeholders=placeholders,
        not_carried=not_carried,
    )


def has_listing(answer: Any) -> bool:
    """True when a ``GET .../listing`` answer is a listing (an object with a non-empty
    ``state`` string); an empty object or anything else: no listing."""
    return (
        isinstance(answer, dict) and isinstance(answer.get("state"), str) and bool(answer["state"])
    )


class ListingOutcome(NamedTuple):
    """What a listing answer means: ``awaiting_approval`` True for ``SUBMITTED``;
    ``problem`` None when it is what was asked for, else why not (asked vs got)."""

    awaiting_approval: bool
    problem: str | None


def listing_outcome(asked: str, answer: dict[str, Any]) -> ListingOutcome:
    """Judge Marketplace's listing ``answer`` (``{state, approvalStatus, ...}``, words
    compared case-insensitively) against the ``asked`` state (``PUBLIC``/``PRIVATE``):
    approval ``REJECTED`` is a failure; ``SUBMITTED`` is success awaiting approval
    (whatever the state meanwhile); otherwise a state other than ``asked`` (or none) is
    a failure."""
    state, approval = answer.get("state"), answer.get("approvalStatus")
    state_word = state.upper() if isinstance(state, str) else None
    approval_word = approval.upper() if isinstance(approval, str) else None
    got = f"state {state!r}, approval {approval!r}"
    if approval_word == REJECTED:
        return ListingOutcome(False, f"Marketplace rejected the listing: asked {asked}, got {got}")
    if approval_word in AWAITING_APPROVAL:
        return ListingOutcome(True, None)
    if state_word != asked.upper():
        return ListingOutcome(False, f"the listing is not what was asked: asked {asked}, got {got}")
    return ListingOutcome(False, None)
