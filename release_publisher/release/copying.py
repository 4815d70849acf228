"""Which existing version a new version copies compatibility, payment model and
license type from: pure rules over parsed versions (no HTTP, clock or disk).

The rule (:data:`COPY_RULE`): the newest (highest build number) public, non-beta,
supported version of the same major line (:func:`choose_previous`); the versions passed
over are named with the reason (:func:`passed_over`) so that a plan with nothing to
copy says why. ``release.copy-from`` names the version instead (:func:`find_copy_from`);
for a new major line the newest version of the line below is offered in the hint
(:func:`newest_of_previous_line`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..errors import ConfigError
from .existing import ExistingVersion


def major_line(version: str) -> str | None:
    """The major line of a version number: its first numeric component without leading
    zeros (``"2.0.1"`` -> ``"2"``, ``"10"`` -> ``"10"``, ``"02.1"`` -> ``"2"``,
    ``"2-beta"`` -> ``"2"``). None when the version does not start with digits followed
    by the end or a non-alphanumeric separator (``"v2.0"``, ``"2a.1"``, ``"beta"``)."""
    match = re.match(r"([0-9]+)(?:$|[^0-9A-Za-z])", version)
    return str(int(match.group(1))) if match else None


#: the version states a version to copy from may have (any case; absent is accepted)
COPYABLE_STATES = ("public", "active")
#: the rule :func:`choose_previous` applies, in words, for the plan and the README
COPY_RULE = (
    "the newest (highest build number) public, non-beta, supported version of the same major line"
)


def why_not_copyable(version: ExistingVersion) -> str | None:
    """Why ``version`` is passed over as the version to copy from (``"beta"``,
    ``"state private"``, ``"not supported"``), or None when it qualifies: not
    ``beta: true``, ``supported`` not false, ``state`` absent or one of
    :data:`COPYABLE_STATES` (any case)."""
    raw = version.raw
    if raw.get("beta") is True:
        return "beta"
    if raw.get("supported") is False:
        return "not supported"
    state = version.state
    if state is not None and state.strip().lower() not in COPYABLE_STATES:
        return f"state {state}"
    return None


def passed_over(
    versions: Iterable[ExistingVersion], version_number: str
) -> list[tuple[ExistingVersion, str]]:
    """The versions of ``version_number``'s major line (other than itself) that
    :func:`choose_previous` passes over, newest first, each with the reason
    (:func:`why_not_copyable`)."""
    line = major_line(version_number)
    if line is None:
        return []
    out = [
        (v, why)
        for v in versions
        if v.version_number != version_number and major_line(v.version_number) == line
        for why in [why_not_copyable(v)]
        if why is not None
    ]
    return sorted(out, key=lambda item: -item[0].build_number)


def choose_previous(
    versions: Iterable[ExistingVersion], version_number: str
) -> ExistingVersion | None:
    """The version to copy from (:data:`COPY_RULE`): among the versions of the same
    major line as ``version_number``, leaving out any version with exactly
    ``version_number`` and every version :func:`why_not_copyable` passes over, the one
    with the highest build number. None when ``version_number`` has no major line or
    no version of the line qualifies (the first release of a new major line)."""
    line = major_line(version_number)
    if line is None:
        return None
    same = [
        v
        for v in versions
        if v.version_number != version_number
        and major_line(v.version_number) == line
        and why_not_copyable(v) is None
    ]
    return max(same, key=lambda v: v.build_number, default=None)


def newest_of_previous_line(
    versions: Iterable[ExistingVersion], version_number: str
) -> ExistingVersion | None:
    """The newest copyable version of the highest major line below ``version_number``'s
    (for a new major line's hint: ``release.copy-from``); None when there is none."""
    line = major_line(version_number)
    if line is None:
        return None
    below = [
        v
        for v in versions
        if (other := major_line(v.version_number)) is not None
        and int(other) < int(line)
        and why_not_copyable(v) is None
    ]
    if not below:
        return None
    top = max(int(major_line(v.version_number) or 0) for v in below)
    return max(
        (v for v in below if major_line(v.version_number) == str(top)),
        key=lambda v: v.build_number,
    )


def find_copy_from(versions: Sequence[ExistingVersion], version_number: str) -> ExistingVersion:
    """The existing version ``release.copy-from`` names (exact version number; the
    highest build number when several have it). Raises :class:`ConfigError` listing the
    newest existing version numbers when none has it."""
    found = [v for v in versions if v.version_number == version_number]
    if found:
        return max(found, key=lambda v: v.build_number)
    newest = [v.version_number for v in sorted(versions, key=lambda v: -v.build_number)[:8]]
    raise ConfigError(
        f"release.copy-from names version {version_number!r}, which Marketplace does not "
        f"have for this hosting (it has: {', '.join(newest) or 'no version'})",
        hint="set release.copy-from to one of the version numbers listed, or remove it to "
        f"copy from {COPY_RULE}",
    )
