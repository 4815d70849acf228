"""The sandbox's rules for app version and listing bodies (the sandbox's plausible
guess; Marketplace does not document them): field errors ``{"code", "message",
"path"}``, duplicates, artifact checks, listing image references, and what of a body is
stored. Pure functions over JSON values: no HTTP, no store, no clock.

See :mod:`release_publisher.sandbox.versions` for the rules in prose.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

#: Hostings, in the order the app-software list reports them.
HOSTINGS = ("cloud", "server", "datacenter")
#: Hostings whose versions are P2/P1 plugins built from a JAR/OBR.
PLUGIN_HOSTINGS = frozenset({"server", "datacenter"})
MAX_BUILD_NUMBER = 2**63 - 1
MAX_VERSION_NUMBER_CHARS = 255


def field_error(code: str, message: str, path: str) -> dict[str, str]:
    """One field error, ``{"code", "message", "path"}`` (path e.g. ``compatibilities[0]``)."""
    return {"code": code, "message": message, "path": path}


def is_int(value: Any) -> bool:
    """An int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def nonempty(value: Any) -> bool:
    """A string with something besides whitespace."""
    return isinstance(value, str) and bool(value.strip())


def duplicates(
    taken: dict[int, dict[str, Any]], version: dict[str, Any], prefix: str
) -> list[dict[str, str]]:
    """Field errors (paths prefixed with ``prefix``) when ``version``'s build number or
    version number is already among ``taken`` (build number -> stored version)."""
    errors: list[dict[str, str]] = []
    build, number = version["buildNumber"], version["versionNumber"]
    if build in taken:
        errors.append(
            field_error(
                "DUPLICATE_BUILD_NUMBER",
                f"build number {build} already exists (version "
                f"{taken[build].get('versionNumber')!r})",
                prefix + "buildNumber",
            )
        )
    same = [b for b, v in taken.items() if v.get("versionNumber") == number]
    if same:
        errors.append(
            field_error(
                "DUPLICATE_VERSION_NUMBER",
                f"version {number!r} already exists (build number {same[0]})",
                prefix + "versionNumber",
            )
        )
    return errors


def check_version_fields(body: Any, hosting: str, *, seed: bool = False) -> list[dict[str, str]]:
    """Field errors (``{"code", "message", "path"}``) of a version body for app
    software on ``hosting``, without the artifact checks. ``seed``: an admin seed,
    where only ``buildNumber`` and ``versionNumber`` are required."""
    if not isinstance(body, dict):
        return [field_error("INVALID_BODY", "expected a JSON object (the version)", "")]
    errors: list[dict[str, str]] = []
    build = body.get("buildNumber")
    if build is None:
        errors.append(
            field_error("REQUIRED", "buildNumber is required (a positive integer)", "buildNumber")
        )
    elif not is_int(build) or not 0 < build <= MAX_BUILD_NUMBER:
        errors.append(
            field_error(
                "INVALID", f"buildNumber must be a positive integer, got {build!r}", "buildNumber"
            )
        )
    number = body.get("versionNumber")
    if number is None:
        errors.append(
            field_error("REQUIRED", "versionNumber is required (e.g. 1.4.2)", "versionNumber")
        )
    elif not nonempty(number) or len(number) > MAX_VERSION_NUMBER_CHARS:
        errors.append(
            field_error(
                "INVALID",
                f"versionNumber must be a non-empty string of at most "
                f"{MAX_VERSION_NUMBER_CHARS} characters, got {number!r}"[:300],
                "versionNumber",
            )
        )
    errors += _check_compatibilities(body.get("compatibilities"), hosting, required=not seed)
    model = body.get("supportedPaymentModel")
    if model is None and not seed:
        errors.append(
            field_error(
                "REQUIRED",
                "supportedPaymentModel is required (e.g. free)",
                "supportedPaymentModel",
            )
        )
    elif model is not None and not nonempty(model):
        errors.append(
            field_error(
                "INVALID",
                "supportedPaymentModel must be a non-empty string",
                "supportedPaymentModel",
            )
        )
    for flag in ("supported", "beta"):
        if flag in body and not isinstance(body[flag], bool):
            errors.append(field_error("INVALID", f"{flag} must be true or false", flag))
    license_type = body.get("licenseType")
    if license_type is not None and not (
        isinstance(license_type, dict) and nonempty(license_type.get("id"))
    ):
        errors.append(field_error("INVALID", 'licenseType must be {"id": "..."}', "licenseType.id"))
    for name in ("changelog",):
        if name in body and not isinstance(body[name], dict):
            errors.append(field_error("INVALID", f"{name} must be an object", name))
    agreements = body.get("acceptedAgreements")
    if agreements is not None and not (
        isinstance(agreements, list)
        and all(isinstance(a, dict) and nonempty(a.get("agreementUrl")) for a in agreements)
    ):
        errors.append(
            field_error(
                "INVALID",
                'acceptedAgreements must be a list of {"agreementUrl": "https://..."}',
                "acceptedAgreements",
            )
        )
    if not seed:
        errors += _check_framework(body.get("frameworkDetails"), hosting)
    return errors


def check_release_notes(body: Any, max_chars: int) -> list[dict[str, str]]:
    """The field error (path ``changelog.releaseNotes``, code ``TOO_LONG``) of a version
    body whose release notes are longer than ``max_chars`` characters (code points, as
    the client counts them), naming both lengths; ``[]`` when they fit, when
    ``max_chars`` is 0 (no limit: ``sandbox --max-release-notes`` not given) or when
    there are no notes (their type is :func:`check_version_fields`'s)."""
    changelog = body.get("changelog") if isinstance(body, dict) else None
    notes = changelog.get("releaseNotes") if isinstance(changelog, dict) else None
    if max_chars <= 0 or not isinstance(notes, str) or len(notes) <= max_chars:
        return []
    return [
        field_error(
            "TOO_LONG",
            f"releaseNotes is {len(notes)} characters long; at most {max_chars} are "
            "accepted (sandbox --max-release-notes)",
            "changelog.releaseNotes",
        )
    ]


def _check_compatibilities(value: Any, hosting: str, *, required: bool) -> list[dict[str, str]]:
    path = "compatibilities"
    if value is None or value == []:
        if required and hosting in PLUGIN_HOSTINGS:
            return [
                field_error(
                    "REQUIRED",
                    f"compatibilities is required for {hosting} versions: at least one "
                    "{parentSoftwareId, minBuildNumber, maxBuildNumber}",
                    path,
                )
            ]
        return []
    if not isinstance(value, list):
        return [field_error("INVALID", "compatibilities must be a list", path)]
    errors: list[dict[str, str]] = []
    for index, item in enumerate(value):
        where = f"{path}[{index}]"
        if not isinstance(item, dict):
            errors.append(field_error("INVALID", "must be an object", where))
            continue
        if not nonempty(item.get("parentSoftwareId")):
            errors.append(
                field_error(
                    "REQUIRED",
                    "parentSoftwareId is required (e.g. jira, confluence)",
                    f"{where}.parentSoftwareId",
                )
            )
        bounds: dict[str, int] = {}
        for bound in ("minBuildNumber", "maxBuildNumber"):
            raw = item.get(bound)
            if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0:
                errors.append(
                    field_error(
                        "REQUIRED" if raw is None else "INVALID",
                        f"{bound} must be an integer >= 0, got {raw!r}",
                        f"{where}.{bound}",
                    )
                )
            else:
                bounds[bound] = raw
        if len(bounds) == 2 and bounds["minBuildNumber"] > bounds["maxBuildNumber"]:
            errors.append(
                field_error(
                    "INVALID",
                    f"minBuildNumber {bounds['minBuildNumber']} is above maxBuildNumber "
                    f"{bounds['maxBuildNumber']}",
                    where,
                )
            )
    return errors


def _check_framework(value: Any, hosting: str) -> list[dict[str, str]]:
    path = "frameworkDetails"
    if not isinstance(value, dict):
        return [
            field_error(
                "REQUIRED",
                'frameworkDetails is required: {"frameworkId": "plugin", "attributes": '
                '{"artifactId": "...", "pluginFrameworkType": "P2"}}',
                path,
            )
        ]
    errors: list[dict[str, str]] = []
    framework = value.get("frameworkId")
    if not nonempty(framework):
        errors.append(field_error("REQUIRED", "frameworkId is required", f"{path}.frameworkId"))
    elif hosting in PLUGIN_HOSTINGS and framework != "plugin":
        errors.append(
            field_error(
                "INVALID",
                f'frameworkId must be "plugin" for {hosting} versions, got {framework!r}',
                f"{path}.frameworkId",
            )
        )
    attributes = value.get("attributes")
    if not isinstance(attributes, dict) or not nonempty(attributes.get("artifactId")):
        errors.append(
            field_error(
                "REQUIRED",
                "attributes.artifactId is required: the ID of an uploaded artifact",
                f"{path}.attributes.artifactId",
            )
        )
    elif attributes.get("pluginFrameworkType") not in (None, "P1", "P2"):
        errors.append(
            field_error(
                "INVALID",
                "pluginFrameworkType must be P1 or P2",
                f"{path}.attributes.pluginFrameworkType",
            )
        )
    return errors


def image_refs(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every ``(path, value)`` in a JSON listing body whose key is ``imageId`` or
    ends in ``ImageId`` (paths like ``screenshots[0].imageId``)."""
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and (key == "imageId" or key.endswith("ImageId")):
                yield where, item
            else:
                yield from image_refs(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from image_refs(item, f"{path}[{index}]")


def check_artifact(
    body: dict[str, Any],
    *,
    app_key: str,
    hosting: str,
    lookup: Callable[[str], tuple[dict[str, Any], bool] | None],
) -> list[dict[str, str]]:
    """Field errors (path ``frameworkDetails.attributes.artifactId``) of a version body's
    artifact for app ``app_key`` on ``hosting``: unknown, still being processed, or (a
    sandbox rule) whose ``details.key`` is not the app key or, on server/datacenter,
    whose ``details.version`` is not ``versionNumber``. ``lookup(artifact ID)`` gives
    the artifact's ``(details, processed)``, or None when there is no such artifact.
    A missing artifact ID is left to :func:`check_version_fields`."""
    framework = body.get("frameworkDetails")
    attributes = framework.get("attributes") if isinstance(framework, dict) else None
    artifact_id = attributes.get("artifactId") if isinstance(attributes, dict) else None
    if not isinstance(artifact_id, str) or not artifact_id.strip():
        return []  # reported by check_version_fields
    path = "frameworkDetails.attributes.artifactId"
    found = lookup(artifact_id)
    if found is None:
        return [field_error("UNKNOWN_ARTIFACT", f"no artifact with ID {artifact_id!r}", path)]
    details, processed = found
    if not processed:
        return [
            field_error(
                "ARTIFACT_NOT_PROCESSED",
                f"artifact {artifact_id!r} is still being processed; retry later",
                path,
            )
        ]
    errors: list[dict[str, str]] = []
    key = details.get("key")
    if key != app_key:
        errors.append(
            field_error(
                "ARTIFACT_MISMATCH",
                f"artifact {artifact_id!r} is app {key!r}, not {app_key!r}",
                path,
            )
        )
    found_version = details.get("version")
    if hosting in PLUGIN_HOSTINGS and found_version != body.get("versionNumber"):
        errors.append(
            field_error(
                "ARTIFACT_MISMATCH",
                f"artifact {artifact_id!r} is version {found_version!r}, but "
                f"versionNumber is {body.get('versionNumber')!r}",
                path,
            )
        )
    return errors


#: listing states the sandbox accepts (any case) -> the word it stores and reports: the
#: proven client sends ``PUBLIC``; Marketplace reports ``PUBLIC``/``PRIVATE``
LISTING_STATES = {"public": "PUBLIC", "private": "PRIVATE"}


def listing_state(body: dict[str, Any]) -> str | None:
    """The uppercase state of a checked listing ``body`` (None when it has none)."""
    state = body.get("state")
    return LISTING_STATES.get(state.lower()) if isinstance(state, str) else None


def check_listing(body: Any, known_images: set[str]) -> list[dict[str, str]]:
    """Field errors of a listing body: ``state`` not ``PUBLIC``/``PRIVATE`` (any case:
    the proven client sends uppercase), malformed ``screenshots``, and every
    ``imageId`` (or ``...ImageId``) not in ``known_images`` (the IDs of uploaded
    listing images and of images already on a listing of this app software).
    ``revision`` and every other field are accepted."""
    if not isinstance(body, dict):
        return [field_error("INVALID_BODY", 'expected a JSON object {"state": "PUBLIC", ...}', "")]
    errors: list[dict[str, str]] = []
    if listing_state(body) is None:
        errors.append(
            field_error(
                "REQUIRED" if "state" not in body else "INVALID",
                f'state must be "PUBLIC" or "PRIVATE", got {body.get("state")!r}',
                "state",
            )
        )
    screenshots = body.get("screenshots")
    if screenshots is not None:
        if not isinstance(screenshots, list):
            errors.append(field_error("INVALID", "screenshots must be a list", "screenshots"))
        else:
            for index, shot in enumerate(screenshots):
                if not isinstance(shot, dict) or "imageId" not in shot:
                    errors.append(
                        field_error(
                            "REQUIRED",
                            'each screenshot is {"imageId": "...", "caption": "..."}',
                            f"screenshots[{index}].imageId",
                        )
                    )
                elif "caption" in shot and not isinstance(shot["caption"], str):
                    errors.append(
                        field_error(
                            "INVALID",
                            "caption must be a string",
                            f"screenshots[{index}].caption",
                        )
                    )
    for path, value in image_refs(body):
        if not isinstance(value, str) or value not in known_images:
            errors.append(
                field_error(
                    "UNKNOWN_IMAGE",
                    f"no listing image with ID {value!r} (upload it with "
                    "POST /rest/3/assets/images/{imageType} first)",
                    path,
                )
            )
    return errors


# -- admin -------------------------------------------------------------------------


def stored_version(
    body: dict[str, Any], *, seed: bool = False, created_at: str | None = None
) -> dict[str, Any]:
    """What of a checked version ``body`` is stored: the known fields (unknown top-level
    fields are dropped) and ``createdAt`` (``created_at``, ISO 8601). ``seed``: an admin
    seed, which keeps every field it gives (but ``_links``) and its ``state``."""
    version: dict[str, Any] = {
        "buildNumber": body["buildNumber"],
        "versionNumber": body["versionNumber"],
        "state": body.get("state", "active") if seed else "active",
        "compatibilities": body.get("compatibilities") or [],
        "supported": body.get("supported", True),
        "beta": body.get("beta", False),
    }
    for name in (
        "supportedPaymentModel",
        "licenseType",
        "frameworkDetails",
        "changelog",
        "acceptedAgreements",
    ):
        if body.get(name) is not None:
            version[name] = body[name]
    if seed:
        for name, value in body.items():  # a seed keeps whatever the test gave
            version.setdefault(name, value)
        version.pop("_links", None)
    else:
        version["createdAt"] = created_at
    return version
