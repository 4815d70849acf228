"""Every text a person reads about a release: the plan of ``check`` and
``publish --dry-run`` (:func:`describe_plan`), the app version plan with its exact
request bodies (:func:`render_plan`, :func:`render_listing_plan`), the dry run's
closing lines, and the closing lines of ``publish`` (:func:`describe_result`).
Lines, not printing: the caller logs them (redacted)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..config.model import APP_LISTING_IMAGE_FIELDS, VERSION_OPTION
from ..limits import human_size
from ..outcome import listing_line
from ..preflight.files import display_path, matched_by
from ..preflight.model import Plan
from ..result import ReleaseResult
from ..settings import ENV_TOKEN, ENV_USER
from .captions import caption_for
from .copying import COPY_RULE, major_line
from .listing_rules import ListingPlan
from .rules import VersionPlan

KIND_LABELS = {"jar": "JAR", "obr": "OBR", "jwb": "JWB", "connect": "Connect descriptor"}

#: a dry run with a ``release:`` section but no credentials
NO_READ_ACCESS = (
    "App version: the plan (what is copied from which version, the exact request bodies) "
    f"needs read access to Marketplace: set {ENV_USER} and {ENV_TOKEN} to see it. "
    "Nothing was sent."
)
#: how many lines of the release notes ``check`` shows
NOTES_PREVIEW_LINES = 20
#: the closing line of a dry run that read the app version plan
DRY_RUN_READ_ONLY = "Dry run: only read requests were sent; nothing was uploaded or created."


def already_published_line(version: str) -> str:
    """The dry run's line for a version that exists with this very artifact."""
    return (
        f"App version {version} already exists with this very artifact: a publish would "
        "change nothing."
    )


#: how to finish a release whose version or listing step failed
RERUN_HINT = (
    "to finish, run the same release again, best with --resume RESULT.json (action: "
    "resume-from): uploaded files are reused, an existing version with this artifact "
    "is recognised, and only what is missing is done"
)


def skipped_line(version: str, existing: str) -> str:
    """The dry run's line for ``release.if-exists: skip`` and an existing version
    ``existing`` (its label) of this version number with another artifact."""
    return (
        f"App version {version} already exists as {existing} with another artifact: "
        "release.if-exists is skip, so a publish would send nothing and report it as skipped."
    )


def skipped_warning(version: str, existing: str, *, theirs: str | None, ours: str | None) -> str:
    """The warning of a run skipped by ``release.if-exists: skip``: which version exists
    and both SHA-512 checksums (None: unknown)."""
    return (
        f"version {version} already exists on Marketplace as {existing} with another "
        f"artifact (its SHA-512 {theirs or 'none'}, this release's {ours or 'unknown'}); "
        "release.if-exists is skip: nothing was uploaded or created"
    )


def notes_lines(summary: str | None, notes: str | None, notes_file: str | None) -> list[str]:
    """The release summary and the release notes that will be sent, with their lengths
    (the notes' first :data:`NOTES_PREVIEW_LINES` lines)."""
    lines: list[str] = []
    if summary is not None:
        lines.append(f"     release summary ({len(summary)} characters): {summary}")
    if notes is None:
        lines.append("     release notes: none")
        return lines
    origin = f", from {notes_file}" if notes_file else ""
    lines.append(f"     release notes ({len(notes)} characters{origin}):")
    shown = notes.splitlines()
    lines.extend(f"       | {line}" for line in shown[:NOTES_PREVIEW_LINES])
    if len(shown) > NOTES_PREVIEW_LINES:
        lines.append(f"       | ... ({len(shown) - NOTES_PREVIEW_LINES} more lines)")
    return lines


def describe_plan(
    plan: Plan, *, dry_run: bool = False, reads: bool = False, notes: str | None = None
) -> list[str]:
    """The lines ``check`` and ``publish --dry-run`` print: every request ``publish``
    would send, in order, with what pre-flight found in each file. For a dry run of a
    config with a ``release:`` section the closing line is left to the version plan
    (which sends read requests). ``notes``: the release notes that will be sent
    (shown with the summary and the screenshot captions). ``reads``: the run can
    read Marketplace (a dry run
    with credentials), so the line saying the request bodies need read access is left
    out (the version plan that follows shows them)."""
    config = plan.config
    lines = [
        f"Release {config.app_key} {config.version}"
        + (f" (version from {VERSION_OPTION})" if config.version_source == "--version" else ""),
        f"  config:      {config.path}",
        f"  marketplace: {config.base_url}",
        "",
        "Artifacts:",
    ]
    for art in plan.artifacts:
        if art.path is not None:
            desc = art.descriptor
            ident = ""
            if desc is not None:
                ident = f", key {desc.key}" + (f", version {desc.version}" if desc.version else "")
                if desc.source:
                    ident += f" (from {desc.source})"
            lines.append(
                f"  {art.name}: {_shown(plan, art.path, art.spec.file)} "
                f"({human_size(art.size or 0)}, "
                f"{KIND_LABELS.get(art.kind or '', art.kind or '?')}{ident}"
                f"{matched_by(art.spec.file, art.spec.exclude)})"
            )
            lines.append("      -> POST /rest/3/artifacts (multipart upload, SHA-512 computed)")
        else:
            lines.append(f"  {art.name}: {art.spec.url}")
            lines.append(
                '      -> POST /rest/3/artifacts/fetch {"uri": ...}'
                + (" (expected SHA-512 given)" if art.spec.sha512 else "")
            )
        has_checksum = art.path is not None or art.spec.sha512 is not None
        checks = [
            "key",
            "version" if art.kind != "connect" else None,
            "checksum" if has_checksum else None,
        ]
        checks += [f"details.{k}" for k in sorted(art.spec.expect)]
        lines.append(
            f"      -> poll GET /rest/3/artifacts/{{id}} (up to {config.poll_timeout:g} s), "
            f"verify {', '.join(c for c in checks if c)}"
        )
    if plan.images:
        lines += ["", "Listing images:"]
        for img in plan.images:
            dims = f"{img.width}x{img.height} " if img.width and img.height else ""
            lines.append(
                f"  {img.type}: {_shown(plan, img.path, img.spec.file)} "
                f"({dims}{img.format.upper()}, {human_size(img.size)}"
                f"{matched_by(img.spec.file)})"
                f" -> POST /rest/3/assets/images/{img.type}"
            )
    release = config.release
    if release is not None:
        build = release.build_number
        lines += [
            "",
            f"App version ({release.hosting}), from artifact {release.artifact}:",
            "  -> GET /rest/3/app-software/app-key/{appKey}, GET .../versions (all pages): "
            "refuse an existing version or build number",
            f"  -> POST /rest/3/app-software/{{appSoftwareId}}/versions (build number "
            f"{'1 + the highest existing' if build == 'auto' else build})",
        ]
        for entry in release.compatibility or ():
            lines.append(
                f"     compatibility: {entry.parent_software_id} builds {entry.min_build} to "
                f"{entry.max_build}"
            )
        for product in release.product_compatibility:
            lines.append(
                f"     compatibility: {product.product} {product.min_version or '(copied min)'} "
                f"to {product.max_version}, resolved to build numbers by GET "
                f"/rest/3/parent-software/{product.product}/versions/number/{{version}}"
            )
        if release.copy_from_previous:
            source = (
                f"version {release.copy_from} (release.copy-from)"
                if release.copy_from is not None
                else COPY_RULE
            )
            lines.append(
                "     compatibility, payment model and license type not stated are copied "
                f"from {source}"
            )
        if release.if_exists == "skip":
            lines.append(
                "     if the version number exists with another artifact: skip (send "
                "nothing, exit 0; release.if-exists)"
            )
        lines += notes_lines(release.summary, notes, release.notes_file)
        if release.listing is not None:
            shots = release.listing.screenshots
            for img in plan.images:
                if shots is not None and img.type == shots:
                    caption, source = caption_for(img.path, release.listing.captions)
                    lines.append(f"     caption of {img.path.name}: {caption!r} ({source})")
            lines.append(
                f"  -> POST .../versions/{{buildNumber}}/listing ({release.listing.state}"
                + (f", screenshots: the {shots} images" if shots else "")
                + ")"
            )
            if release.copy_from_previous:
                lines.append(
                    "     after GET .../versions/{previous buildNumber}/listing: the previous "
                    "version's listing is carried over, the config's state and screenshots "
                    "replacing its own"
                )
        if not reads:
            lines.append(
                "  the exact request bodies need read access: `publish --dry-run` with "
                "credentials shows them"
            )
    app_listing = config.app_listing
    if app_listing is not None:
        fields = ", ".join(
            f"images.{APP_LISTING_IMAGE_FIELDS[key]} from the {image_type} image"
            for key, image_type in app_listing.images
        )
        lines += [
            "",
            "App listing (app-listing:):",
            f"  -> GET /rest/3/product-listing/developer-space/{app_listing.developer_id} "
            "(the app's productId), GET /rest/3/product-listing/{productId}: state, approval",
            f"  -> PUT /rest/3/product-listing/{{productId}}: the listing as read, with {fields}",
        ]
    uploads = sum(1 for a in plan.artifacts if a.path is not None)
    if uploads > 1 and config.upload_spacing > 0:
        lines += ["", f"Uploads are spaced {config.upload_spacing:g} s apart (uploads.spacing)."]
    budget = sum(a.size or 0 for a in plan.artifacts if a.path is not None)
    if budget:
        lines.append(
            f"Upload budget used: {human_size(budget)} (Marketplace allows ~750 MB / 2 h)."
        )
    if plan.warnings:
        lines += ["", "Warnings:"] + [f"  - {w}" for w in plan.warnings]
    if not dry_run:
        lines += ["", "Pre-flight passed: nothing was sent."]
    elif release is None:
        lines += ["", "Dry run: nothing was sent."]
    return lines


def preflight_lines(plan: Plan) -> list[str]:
    """What pre-flight checked, for the "Pre-flight checks" group: each artifact with
    its kind, app key and version as read from the file (a url artifact: what is
    checked once Marketplace has fetched it), each listing image with its size, and
    one closing line with the counts and the warnings."""
    lines: list[str] = []
    for art in plan.artifacts:
        if art.path is None:
            lines.append(f"Artifact {art.name}: {art.spec.url} (checked after the fetch)")
            continue
        desc = art.descriptor
        ident = ""
        if desc is not None:
            ident = f": key {desc.key}" + (f", version {desc.version}" if desc.version else "")
        lines.append(
            f"Artifact {art.name}: {_shown(plan, art.path, art.spec.file)} "
            f"({human_size(art.size or 0)}, {KIND_LABELS.get(art.kind or '', art.kind or '?')}"
            f"{matched_by(art.spec.file, art.spec.exclude)}){ident}"
        )
    for img in plan.images:
        dims = f"{img.width}x{img.height} " if img.width and img.height else ""
        lines.append(
            f"Listing image {img.type}: {_shown(plan, img.path, img.spec.file)} "
            f"({dims}{img.format.upper()}, {human_size(img.size)}{matched_by(img.spec.file)})"
        )
    artifacts, images = len(plan.artifacts), len(plan.images)
    warned = len(plan.warnings)
    lines.append(
        f"Pre-flight checked {artifacts} artifact{'s' if artifacts != 1 else ''} and "
        f"{images} listing image{'s' if images != 1 else ''}"
        + (f"; {warned} warning{'s' if warned != 1 else ''}" if warned else "; no warnings")
    )
    return lines


def _shown(plan: Plan, path: Path, pattern: str | None) -> str:
    """``path`` as every output shows it (:func:`~..preflight.files.display_path`:
    relative to the config file's directory, as the config wrote its pattern)."""
    return display_path(path, plan.config.base_dir, pattern)


def describe_result(result: ReleaseResult) -> list[str]:
    """The closing lines of ``publish``: status, each artifact ID and checksum, each
    image ID."""
    lines = [f"Result: {result.status} ({result.app_key} {result.version})"]
    for art in result.artifacts:
        if art.id:
            checksum = f", sha512 {art.checksum[:16]}..." if art.checksum else ""
            lines.append(f"  artifact {art.name}: ID {art.id} [{art.state}]{checksum}")
        else:
            lines.append(f"  artifact {art.name}: not uploaded")
    for img in result.images:
        lines.append(
            f"  image {img.type} {img.file}: " + (f"ID {img.id}" if img.id else "not uploaded")
        )
    if result.release:
        info = result.release
        lines.append(
            f"  app version {info.version_number} ({info.hosting}): "
            f"{info.status}, build {info.build_number}"
            + (f", state {info.state}" if info.state else "")
            + (f", {info.url}" if info.url else "")
        )
        lines.append(f"  {listing_line(result)}")
        if info.marketplace_page:
            lines.append(f"  Marketplace page (public site): {info.marketplace_page}")
    return lines


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= 100 else text[:96] + " ..."


def render_plan(plan: VersionPlan) -> list[str]:
    """Human-readable lines for ``--dry-run``: the app software, the previous version and
    what was copied from it, every field with its source, what is missing, the clashing
    versions, then the exact JSON bodies (``json.dumps(indent=2)``) with their requests."""
    lines: list[str] = []
    sw = plan.app_software
    where = f"{sw.id} ({plan.hosting})" if sw else f"<resolved at run time> ({plan.hosting})"
    lines.append(f"App software: {where}")
    lines.append(f"Version: {plan.version_number}, build number {plan.build_number}")
    line = major_line(plan.version_number)
    if plan.previous is None:
        lines.append(
            f"Previous version of major line {line}: none"
            if line is not None
            else "Previous version: none (the version has no numeric major line)"
        )
    else:
        lines.append(f"Previous version of major line {line}: {plan.previous.label}")
    lines.append(f"Copy rule: {plan.copy_rule}")
    for skipped, why in plan.passed_over:
        lines.append(f"  passed over {skipped.label}: {why}")
    copied = [s.field for s in plan.sources if s.source.startswith("copied from")]
    if plan.copied_from is not None:
        lines.append(f"Copied from {plan.copied_from.label}: {', '.join(copied)}")
    lines.append("Fields:")
    for item in plan.sources:
        shown = "(not sent)" if item.value is None else _short(item.value)
        lines.append(f"  {item.field} = {shown}  [{item.source}]")
    if plan.missing:
        lines.append("Missing (nothing is uploaded until these are stated in the config):")
        lines.extend(f"  - {m}" for m in plan.missing)
    for c in plan.conflicts:
        same = " and ".join(
            w
            for w, flag in (
                ("version number", c.same_version_number),
                ("build number", c.same_build_number),
            )
            if flag
        )
        lines.append(
            f"Conflict: Marketplace already has {c.existing.label}"
            f"{', state ' + c.existing.state if c.existing.state else ''} (same {same})"
        )
    if plan.has_placeholders:
        lines.append("IDs in <...> are filled in after the uploads.")
    lines.append(f"Request: POST {plan.versions_path}")
    lines.extend(json.dumps(plan.body, indent=2, ensure_ascii=False).splitlines())
    return lines


def render_listing_plan(path: str, plan: ListingPlan) -> list[str]:
    """The lines of the version's listing plan: first one line saying which fields are
    carried over from which version and which come from the config, then every field
    with its source, then the request to ``path``
    (``/rest/3/app-software/{id}/versions/{buildNumber}/listing``) and its exact JSON
    body (``json.dumps(indent=2)``)."""
    carried = [s.field for s in plan.sources if s.source.startswith("copied from")]
    own = [s.field for s in plan.sources if s.source.startswith("config")]
    head = f"Listing: {', '.join(own)} from the config"
    if plan.carried_from is not None and carried:
        head += f"; {', '.join(carried)} carried over from {plan.carried_from}"
    else:
        head += "; nothing carried over" + (f" ({plan.not_carried})" if plan.not_carried else "")
    lines = [head, "Listing fields:"]
    for item in plan.sources:
        shown = "(not sent)" if item.value is None else _short(item.value)
        lines.append(f"  {item.field} = {shown}  [{item.source}]")
    if plan.has_placeholders:
        lines.append("IDs in <...> are filled in after the uploads.")
    lines.append(f"Request: POST {path}")
    lines.extend(json.dumps(plan.body, indent=2, ensure_ascii=False).splitlines())
    return lines


def listing_found_lines(build_number: int, answer: dict[str, Any]) -> list[str]:
    """The lines for a version whose listing exists already (read by ``GET
    .../versions/{buildNumber}/listing``): nothing is published again."""
    return [
        f"Listing: build {build_number} already has a listing (state "
        f"{answer.get('state')}, approval {answer.get('approvalStatus')}, revision "
        f"{answer.get('revision')}): nothing is published again"
    ]
