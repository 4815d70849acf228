"""What Marketplace stored, compared with what was sent: pure rules over plain JSON
(no HTTP, no clock, no disk).

- :func:`compare_stored`: the body of ``POST /rest/3/app-software/{appSoftwareId}/versions``
  against the version read back with ``GET .../versions/{buildNumber}``: every field
  sent that the server echoes must hold what was sent (a field it does not echo proves
  nothing and is not compared);
- :func:`duplicate_is_ours`: what a version found under this build number after a
  duplicate answer (409 ``DUPLICATE_VERSION``) or a lost answer means.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ..errors import ApiError, VerificationError
from .existing import ExistingVersion

#: the body fields compared when echoed, in the order they are reported
COMPARED_FIELDS = (
    "buildNumber",
    "versionNumber",
    "beta",
    "supported",
    "supportedPaymentModel",
    "compatibilities",
    "licenseType",
    "frameworkDetails",
    "changelog",
)


@dataclass(frozen=True)
class Difference:
    """One field Marketplace stored otherwise: ``field`` a dotted path
    (``"frameworkDetails.attributes.artifactId"``), ``sent`` and ``stored`` the JSON
    values."""

    field: str
    sent: Any
    stored: Any

    @property
    def sent_text(self) -> str:
        """``sent`` as compact JSON (at most 200 characters)."""
        return _text(self.sent)

    @property
    def stored_text(self) -> str:
        """``stored`` as compact JSON (at most 200 characters)."""
        return _text(self.stored)


def _text(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text if len(text) <= 200 else text[:196] + " ..."


def _same(sent: Any, stored: Any) -> bool:
    """Equal as JSON; a number sent equals its digits stored as text (``buildNumber``),
    a list of objects equals the same objects in any order (compatibilities)."""
    if isinstance(sent, bool) or isinstance(stored, bool):
        return sent is stored
    if isinstance(sent, int) and isinstance(stored, str):
        return stored.strip() == str(sent)
    if isinstance(sent, list) and isinstance(stored, list):
        if len(sent) != len(stored):
            return False
        left = list(stored)
        for item in sent:
            match = next((other for other in left if _covers(item, other)), None)
            if match is None:
                return False
            left.remove(match)
        return True
    return bool(sent == stored)


def _covers(sent: Any, stored: Any) -> bool:
    """``stored`` holds ``sent``: for objects, every key of ``sent`` with the same value
    (extra keys the server adds are fine)."""
    if isinstance(sent, Mapping) and isinstance(stored, Mapping):
        return all(k in stored and _same(v, stored[k]) for k, v in sent.items())
    return _same(sent, stored)


def _compare(path: str, sent: Any, stored: Any, out: list[Difference]) -> None:
    if isinstance(sent, Mapping) and isinstance(stored, Mapping):
        for key, value in sent.items():
            if key in stored:
                _compare(f"{path}.{key}", value, stored[key], out)
        return
    if not _covers(sent, stored):
        out.append(Difference(path, sent, stored))


def compare_stored(sent: Mapping[str, Any], stored: Any) -> list[Difference]:
    """The fields of ``sent`` (a create-version body) that ``stored`` (the version read
    back) echoes with another value: for each of :data:`COMPARED_FIELDS` present in
    both, objects compared key by key (keys the server leaves out are not compared),
    lists of objects in any order. A ``stored`` that is not a JSON object is one
    difference on ``"(version)"``. Empty: the server stored what was sent."""
    if not isinstance(stored, Mapping):
        return [Difference("(version)", "a version object", stored)]
    out: list[Difference] = []
    for name in COMPARED_FIELDS:
        if name in sent and name in stored:
            _compare(name, sent[name], stored[name], out)
    return out


Verdict = Literal["ours", "concurrent", "other"]


def _artifact_id(version: Mapping[str, Any]) -> str | None:
    framework = version.get("frameworkDetails")
    attributes = framework.get("attributes") if isinstance(framework, Mapping) else None
    value = attributes.get("artifactId") if isinstance(attributes, Mapping) else None
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None


def duplicate_is_ours(
    stored: Any,
    *,
    version_number: str,
    artifact_id: str,
    checksum: str | None,
    their_checksum: str | None,
) -> Verdict:
    """What the version ``stored`` (read under this run's build number after a
    duplicate or lost create) is: ``"ours"`` when its ``versionNumber`` and artifact ID
    are this run's (the create was stored); ``"concurrent"`` when it has this version
    number and another artifact with the same SHA-512 (``their_checksum`` equal to
    ``checksum``: another run of this same release); else ``"other"``."""
    if not isinstance(stored, Mapping) or stored.get("versionNumber") != version_number:
        return "other"
    theirs = _artifact_id(stored)
    if theirs == artifact_id:
        return "ours"
    if checksum and their_checksum and checksum.lower() == their_checksum.lower():
        return "concurrent"
    return "other"


def stored_otherwise_error(
    version: str, build_number: int, differences: list[Difference]
) -> VerificationError:
    """The verification failure (exit 5) for a version stored with other values:
    each field, what was sent and what is stored."""
    shown = "; ".join(f"{d.field}: sent {d.sent_text}, stored {d.stored_text}" for d in differences)
    return VerificationError(
        f"Marketplace stored version {version} (build {build_number}) with other values "
        f"than were sent: {shown}",
        hint="the version exists on Marketplace as stored: check it in the Marketplace "
        "admin UI and correct it there (or archive it and release a new build); a re-run "
        "finds it and does not change it",
    )


def concurrent_warning(version: str, build_number: int) -> str:
    """The warning for a version another run of this same release created meanwhile."""
    return (
        f"version {version} (build {build_number}) was created meanwhile by another run of "
        "this same release (same version number, an artifact with the same SHA-512): "
        "reported as this release, not as a failure"
    )


def duplicate_error(
    err: ApiError,
    found: ExistingVersion | None,
    build_number: int,
    version: str,
    artifact_id: str,
) -> ApiError:
    """``err`` (a duplicate answer) showing both the version Marketplace has under
    ``build_number`` and what this run sent, with the fix."""
    label = found.label if found is not None else f"build {build_number}"
    other = found.artifact_id if found is not None else None
    err.message += (
        f"; Marketplace has {label} with artifact {other or 'none'}, this run sent "
        f"version {version} with artifact {artifact_id}"
    )
    err.hint = (
        "another release holds this build number or version number: set "
        "release.build-number to an unused number or to auto, or release a new version number"
    )
    return err
