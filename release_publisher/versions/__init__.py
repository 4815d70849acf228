"""Turning an uploaded artifact into an app version: pure planning, no HTTP.

- :mod:`.plan` -- models of what Marketplace reports (app software per hosting, existing
  versions, pagination), the rules (major line, previous version, conflicts, ``auto``
  build numbers) and :func:`~.plan.build_version_plan`, which yields the exact JSON bodies
  of ``POST /rest/3/app-software/{appSoftwareId}/versions`` and
  ``POST .../versions/{buildNumber}/listing`` with where every value came from.
- :mod:`.changelog` -- the section of a Keep a Changelog style file for one version.

The Marketplace client makes the calls; the pipeline decides when. Nothing here
sleeps, reads the network or (except :func:`~.changelog.notes_from_config`) the disk.
"""

from __future__ import annotations

from .changelog import MAX_CHANGELOG_BYTES, notes_for_version, notes_from_config
from .plan import (
    HOSTINGS,
    AppSoftware,
    Conflict,
    ExistingVersion,
    FieldSource,
    Screenshot,
    VersionPlan,
    build_listing_body,
    build_version_plan,
    choose_previous,
    conflict_error,
    find_conflicts,
    is_same_release,
    major_line,
    next_build_number,
    normalize_hosting,
    parse_app_software,
    parse_version,
    parse_versions_page,
    render_plan,
    require_complete,
    require_no_conflicts,
    select_app_software,
)

__all__ = [
    "HOSTINGS",
    "MAX_CHANGELOG_BYTES",
    "AppSoftware",
    "Conflict",
    "ExistingVersion",
    "FieldSource",
    "Screenshot",
    "VersionPlan",
    "build_listing_body",
    "build_version_plan",
    "choose_previous",
    "conflict_error",
    "find_conflicts",
    "is_same_release",
    "major_line",
    "next_build_number",
    "normalize_hosting",
    "notes_for_version",
    "notes_from_config",
    "parse_app_software",
    "parse_version",
    "parse_versions_page",
    "render_plan",
    "require_complete",
    "require_no_conflicts",
    "select_app_software",
]
