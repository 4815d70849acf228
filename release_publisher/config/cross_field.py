"""The rules a JSON Schema cannot say, across fields of a :class:`Document`: artifact
names are unique; the base URL follows :func:`release_publisher.urls.check_base_url`;
in the ``release:`` section the artifact and the screenshot image type it names exist,
``min-build <= max-build``, one compatibility entry per host product, a
paid-via-Atlassian version lists one host product, the summary and inline notes fit
``release.max-length`` (``truncate`` needs a ``link``), and the notes file exists
relative to the config file.

Each rule returns problems (location, message, hint) rather than raising, so that
:mod:`.validate` can report them together with the schema's.

May import: :mod:`.document`, :mod:`.fields`, :mod:`.model` (defaults),
:mod:`release_publisher.limits`, :mod:`release_publisher.urls`
(the one base-URL rule, shared with ``--base-url`` and the client). Knows nothing of YAML nodes,
jsonschema or the typed config.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from ..errors import Location, UsageError
from ..limits import MAX_NOTES_CHARS, MAX_SUMMARY_CHARS
from ..urls import check_base_url
from .document import Document, Problem, artifact_names
from .fields import example
from .model import DEFAULT_ARTIFACT_NAME


def check_names(doc: Document) -> list[tuple[Location, str, str]]:
    """Two ``artifacts[]`` entries with the same name (an entry without ``name:`` is
    named ``artifact``): one problem per repeat, at the later entry."""
    artifacts = doc.data.get("artifacts")
    if not isinstance(artifacts, list):
        return []
    first: dict[str, int] = {}
    problems: list[tuple[Location, str, str]] = []
    for i, entry in enumerate(artifacts):
        if not isinstance(entry, dict):
            continue
        name = entry.get("name", DEFAULT_ARTIFACT_NAME)
        if not isinstance(name, str):
            continue
        if name not in first:
            first[name] = i
            continue
        j = first[name]
        loc = doc.loc(f"artifacts[{i}].name") if "name" in entry else doc.loc(f"artifacts[{i}]")
        unnamed = "name" not in entry or "name" not in artifacts[j]
        hint = (
            "an artifact without name: is named 'artifact'; give each one a name, "
            "e.g. name: server and name: dc"
            if unnamed
            else "give each artifact a different name"
        )
        other = doc.loc(f"artifacts[{j}]")
        problems.append(
            (
                loc,
                f"artifacts[{i}] and artifacts[{j}] (line {other.line}) are both named {name!r}",
                hint,
            )
        )
    return problems


def check_base_url_field(doc: Document) -> list[Problem]:
    """``marketplace.base-url`` against the one base-URL rule
    (:func:`release_publisher.urls.check_base_url`: http(s) with a host, no credentials,
    no query or fragment, plain http only to a loopback host), as a problem at the
    field's file:line:col instead of the rule's location-less UsageError."""
    marketplace = doc.data.get("marketplace")
    value = marketplace.get("base-url") if isinstance(marketplace, dict) else None
    if not isinstance(value, str) or not value.strip():
        return []
    try:
        check_base_url(value)
    except UsageError as exc:
        message = exc.message
        if message.startswith("base-url"):
            message = "marketplace." + message
        else:
            message = f"marketplace.base-url: {message}"
        return [(doc.loc("marketplace.base-url"), message, exc.hint or "")]
    return []


def check_release(doc: Document) -> list[Problem]:
    """Rules of the ``release:`` section a schema cannot say: the artifact and the
    screenshot image type it names exist, ``min-build <= max-build``, one entry per
    host product, and the notes file exists (relative to the config file)."""
    release = doc.data.get("release")
    if not isinstance(release, dict):
        return []
    problems: list[Problem] = []
    artifact = release.get("artifact")
    artifacts = doc.data.get("artifacts")
    if isinstance(artifact, str) and isinstance(artifacts, list):
        names = [e.get("name", DEFAULT_ARTIFACT_NAME) for e in artifacts if isinstance(e, dict)]
        if artifact not in names:
            close = difflib.get_close_matches(artifact, [str(n) for n in names], n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.append(
                (
                    doc.loc("release.artifact"),
                    f"release.artifact {artifact!r} is not the name of an artifact "
                    f"(artifacts: {artifact_names(doc)})",
                    hint + "name one of the artifacts (an entry without name: is named 'artifact')",
                )
            )
    listing = release.get("listing")
    shots = listing.get("screenshots") if isinstance(listing, dict) else None
    if isinstance(shots, str):
        types = _image_types(doc)
        if shots not in types:
            have = f"image types: {', '.join(types)}" if types else "the config has no images"
            problems.append(
                (
                    doc.loc("release.listing.screenshots"),
                    f"release.listing.screenshots names the image type {shots!r}, which no "
                    f"images[] entry has ({have})",
                    f"add an images[] entry with type: {shots}, or name one of the image "
                    "types the config uploads",
                )
            )
    problems.extend(_check_compatibility(doc, release.get("compatibility")))
    problems.extend(_check_payment_model(doc, release))
    problems.extend(_check_lengths(doc, release))
    notes = release.get("notes")
    notes_file = notes.get("file") if isinstance(notes, dict) else None
    if isinstance(notes_file, str) and notes_file:
        base = Path(doc.file).resolve().parent
        target = base / notes_file
        try:
            ok, is_dir, exists = target.is_file(), target.is_dir(), target.exists()
        except (OSError, ValueError):
            ok, is_dir, exists = False, False, False
        if not ok:
            what = (
                "is a directory, not a file"
                if is_dir
                else "is not a regular file (a FIFO, device or socket is not read)"
                if exists
                else "does not exist"
            )
            problems.append(
                (
                    doc.loc("release.notes.file"),
                    f"release.notes.file {notes_file!r} {what} (looked for {target})",
                    f"give the changelog's path relative to the config file's directory "
                    f"({base}), e.g. file: CHANGELOG.md",
                )
            )
    return problems


def _check_payment_model(doc: Document, release: dict[str, Any]) -> list[Problem]:
    """``payment-model: paid-via-atlassian`` with compatibility for two or more host
    products: the live API refuses it ("A paid-via-Atlassian app may list only one
    parent product", marketplace-api.md), so it is refused before any request."""
    compat = release.get("compatibility")
    if release.get("payment-model") != "paid-via-atlassian" or not isinstance(compat, list):
        return []
    products = list(
        dict.fromkeys(
            e["parent-software-id"]
            for e in compat
            if isinstance(e, dict) and isinstance(e.get("parent-software-id"), str)
        )
    )
    if len(products) < 2:
        return []
    return [
        (
            doc.loc("release.payment-model"),
            f"release.payment-model paid-via-atlassian allows one host product, but "
            f"release.compatibility lists {len(products)}: {', '.join(products)}",
            "Marketplace refuses a paid-via-Atlassian version for several parent products "
            "(supportedPaymentModel): keep one compatibility entry, or release one app "
            "per host product",
        )
    ]


def notes_link_line(link: str) -> str:
    """The line that ends notes cut by ``release.notes.truncate`` (after a blank line)."""
    return f"[...] The full release notes: {link}"


def _check_lengths(doc: Document, release: dict[str, Any]) -> list[Problem]:
    """The summary and inline notes within ``release.max-length`` (defaults
    :data:`~release_publisher.limits.MAX_SUMMARY_CHARS`,
    :data:`~release_publisher.limits.MAX_NOTES_CHARS`); ``truncate: true`` needs a
    ``link`` that fits. Notes from a file are checked once the section is read
    (:func:`release_publisher.config.notes_limit.fit_release_notes`)."""
    problems: list[Problem] = []
    limits = release.get("max-length")
    limits = limits if isinstance(limits, dict) else {}
    summary_max = limits.get("summary", MAX_SUMMARY_CHARS)
    notes_max = limits.get("notes", MAX_NOTES_CHARS)
    summary = release.get("summary")
    if isinstance(summary, str) and isinstance(summary_max, int) and len(summary) > summary_max:
        problems.append(
            (
                doc.loc("release.summary"),
                f"release.summary is {len(summary)} characters long; at most {summary_max} "
                "are allowed",
                "shorten it; put the details in release.notes (the limit is "
                "release.max-length.summary; Marketplace's own is not published)",
            )
        )
    notes = release.get("notes")
    if not isinstance(notes, dict) or not isinstance(notes_max, int):
        return problems
    truncate, link = notes.get("truncate") is True, notes.get("link")
    if truncate and not isinstance(link, str):
        problems.append(
            (
                doc.loc("release.notes.truncate"),
                "release.notes.truncate needs release.notes.link: the cut notes end with a "
                "link to the full ones",
                f"add {example('release.notes.link')} under notes:",
            )
        )
    elif truncate and isinstance(link, str) and len(notes_link_line(link)) + 2 > notes_max:
        problems.append(
            (
                doc.loc("release.notes.link"),
                f"release.notes.link is too long to fit in notes of at most {notes_max} characters",
                "use a shorter link, or raise release.max-length.notes",
            )
        )
    text = notes.get("text")
    if isinstance(text, str) and not truncate and len(text) > notes_max:
        problems.append(
            (
                doc.loc("release.notes.text"),
                f"release.notes.text is {len(text)} characters long; at most {notes_max} "
                "are allowed",
                notes_hint(notes_max),
            )
        )
    return problems


def notes_hint(limit: int) -> str:
    """What to do about release notes longer than ``limit`` characters."""
    return (
        f"shorten the notes to {limit} characters, or add truncate: true and link: "
        "<URL of the full notes> under release.notes to cut them at a line boundary "
        "(the limit is release.max-length.notes; Marketplace's own is not published)"
    )


def _check_compatibility(doc: Document, compat: Any) -> list[Problem]:
    if not isinstance(compat, list):
        return []
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for i, entry in enumerate(compat):
        if not isinstance(entry, dict):
            continue
        path = f"release.compatibility[{i}]"
        low, high = entry.get("min-build"), entry.get("max-build")
        if (
            isinstance(low, int | float)
            and isinstance(high, int | float)
            and not isinstance(low, bool)
            and not isinstance(high, bool)
            and low > high
        ):
            problems.append(
                (
                    doc.loc(f"{path}.min-build"),
                    f"{path}: min-build {low} is greater than max-build {high}",
                    "min-build is the lowest supported host build number: swap the two values",
                )
            )
        mixed = [k for k in ("parent-software-id", "min-build", "max-build") if k in entry]
        if "product" in entry and mixed:
            problems.append(
                (
                    doc.loc(f"{path}.product"),
                    f"{path} mixes product (product versions) with {', '.join(mixed)} "
                    "(build numbers)",
                    'give either {product: jira, min: "9.12.0", max: "10.3.1"} or '
                    "{parent-software-id: jira, min-build: 912000, max-build: 10030001}",
                )
            )
        product = entry.get("parent-software-id", entry.get("product"))
        if not isinstance(product, str):
            continue
        if product in first:
            j = first[product]
            other = doc.loc(f"release.compatibility[{j}]")
            problems.append(
                (
                    doc.loc(f"{path}.parent-software-id"),
                    f"{path} and release.compatibility[{j}] (line {other.line}) are both "
                    f"for {product!r}",
                    "give one entry per host product, with one build-number range",
                )
            )
        else:
            first[product] = i
    return problems


def check_app_listing(doc: Document) -> list[Problem]:
    """The ``app-listing:`` section names image types that ``images[]`` has: one
    problem per ``app-listing.images.<key>`` naming a type no entry uploads."""
    section = doc.data.get("app-listing")
    chosen = section.get("images") if isinstance(section, dict) else None
    if not isinstance(chosen, dict):
        return []
    types = _image_types(doc)
    problems: list[Problem] = []
    for key, image_type in chosen.items():
        if isinstance(image_type, str) and image_type not in types:
            have = f"image types: {', '.join(types)}" if types else "the config has no images"
            problems.append(
                (
                    doc.loc(f"app-listing.images.{key}"),
                    f"app-listing.images.{key} names the image type {image_type!r}, which no "
                    f"images[] entry has ({have})",
                    f"add an images[] entry with type: {image_type}, or name one of the image "
                    "types the config uploads",
                )
            )
    return problems


def _image_types(doc: Document) -> list[str]:
    """The image types the config's ``images[]`` entries name, in config order, once each."""
    images = doc.data.get("images")
    entries = images if isinstance(images, list) else []
    return list(
        dict.fromkeys(str(e["type"]) for e in entries if isinstance(e, dict) and "type" in e)
    )
