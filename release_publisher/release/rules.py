"""The rules of an app version, and the exact request bodies: pure functions over plain
data (no HTTP, no clock, no disk).

- what Marketplace reports is parsed by :mod:`.existing` (app software, versions);
- the rules: :func:`major_line`, :func:`choose_previous` (what to copy from),
  :func:`find_conflicts` and :func:`conflict_error` (an existing version or build
  number), :func:`next_build_number` (``auto``);
- :func:`build_version_plan`: the body of ``POST .../versions`` with where every
  value came from, and :func:`require_complete`, which refuses a plan with something
  missing (the listing body: :mod:`.listing_rules`).

The version stage (:mod:`release_publisher.release.version`) calls these: it plans
before any upload (with placeholders for the IDs), decides what an existing version
with this version number means, and plans again with the IDs after the uploads.

What is known about these endpoints comes from one working script (Data Center, P2
plugin); which fields Marketplace requires is not documented. Decisions taken here
(see each function): the ``auto`` build number is 1 + the highest existing build
number; cloud versions get ``frameworkId: "connect"`` (UNVERIFIED); the payment model
is sent exactly as stated or as copied.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..config.model import Compatibility, VersionSpec
from ..errors import ConfigError, Location, VerificationError
from .existing import AppSoftware, ExistingVersion

# -------------------------------------------------------------------------- rules


def major_line(version: str) -> str | None:
    """The major line of a version number: its first numeric component without leading
    zeros (``"2.0.1"`` -> ``"2"``, ``"10"`` -> ``"10"``, ``"02.1"`` -> ``"2"``,
    ``"2-beta"`` -> ``"2"``). None when the version does not start with digits followed
    by the end or a non-alphanumeric separator (``"v2.0"``, ``"2a.1"``, ``"beta"``)."""
    match = re.match(r"([0-9]+)(?:$|[^0-9A-Za-z])", version)
    return str(int(match.group(1))) if match else None


def choose_previous(
    versions: Iterable[ExistingVersion], version_number: str
) -> ExistingVersion | None:
    """The version to copy from: the one with the highest build number among the versions
    of the same major line as ``version_number``, leaving out any version with exactly
    ``version_number``. None when ``version_number`` has no major line or the line has no
    other version (the first release of a new major line)."""
    line = major_line(version_number)
    if line is None:
        return None
    same = [
        v
        for v in versions
        if v.version_number != version_number and major_line(v.version_number) == line
    ]
    return max(same, key=lambda v: v.build_number, default=None)


@dataclass(frozen=True)
class Conflict:
    """An existing version that clashes with the one to create: same version number,
    same build number, or both."""

    existing: ExistingVersion
    same_version_number: bool
    same_build_number: bool


def find_conflicts(
    versions: Iterable[ExistingVersion], version_number: str, build_number: int | None
) -> list[Conflict]:
    """The existing versions with the same version number (exact string equality) or the
    same build number (skipped when ``build_number`` is None), in the given order."""
    result: list[Conflict] = []
    for v in versions:
        same_version = v.version_number == version_number
        same_build = build_number is not None and v.build_number == build_number
        if same_version or same_build:
            result.append(Conflict(v, same_version, same_build))
    return result


def next_build_number(versions: Iterable[ExistingVersion], spec: VersionSpec) -> int:
    """The build number of the version to create.

    An integer ``spec.build_number`` is used as given (clashes are reported by
    :func:`find_conflicts`). ``"auto"``: 1 + the highest build number of any existing
    version of this app software (every major line); 1 for the first version. It never
    collides with a listed version and keeps build numbers increasing with release
    order. Raises ValueError for any other string (the config loader never makes one).
    """
    if isinstance(spec.build_number, int) and not isinstance(spec.build_number, bool):
        return spec.build_number
    if spec.build_number != "auto":
        raise ValueError(f"build number must be an integer or 'auto': {spec.build_number!r}")
    return 1 + max((v.build_number for v in versions), default=0)


# ----------------------------------------------------------------------- the plan


class FieldSource(NamedTuple):
    """Where one body field's value came from: ``field`` is the JSON field name
    (``"compatibilities"``), ``value`` what is sent (None: not sent), ``source`` e.g.
    ``"config"``, ``"copied from 1.4.1 (build 100)"``, ``"default"``."""

    field: str
    value: Any
    source: str


@dataclass(frozen=True)
class VersionPlan:
    """Everything needed to create the version, and why (its listing is planned by
    :mod:`.listing_rules`).

    ``body`` is the exact JSON body of
    ``POST /rest/3/app-software/{appSoftwareId}/versions``. ``has_placeholders`` is
    True while the artifact ID is a ``<...>`` placeholder (a dry run before the
    uploads): such a plan is for printing only. ``previous`` is the latest version of
    the same major line (None: none); ``copied_from`` is ``previous`` when at least one
    value was copied from it. ``sources`` explains every field; ``missing`` says what
    has to be stated before anything is uploaded (``missing_fields`` the config
    fields, e.g. ``"release.compatibility"``); ``conflicts`` the existing versions with
    the same version or build number.
    """

    hosting: str
    version_number: str
    build_number: int
    body: dict[str, Any]
    previous: ExistingVersion | None
    copied_from: ExistingVersion | None
    sources: list[FieldSource]
    missing: list[str]
    missing_fields: list[str]
    conflicts: list[Conflict]
    has_placeholders: bool
    app_software: AppSoftware | None = None
    #: True when ``build_number`` was computed (``auto``), False when stated in the config
    auto_build_number: bool = True

    @property
    def complete(self) -> bool:
        """True when nothing is missing."""
        return not self.missing

    @property
    def versions_path(self) -> str:
        """``/rest/3/app-software/{appSoftwareId}/versions`` (a placeholder ID when the
        app software is not resolved)."""
        ident = self.app_software.id if self.app_software else "<appSoftwareId>"
        return f"/rest/3/app-software/{ident}/versions"


def _framework(hosting: str, artifact: str) -> tuple[dict[str, Any], str]:
    if hosting == "cloud":
        return (
            {"frameworkId": "connect", "attributes": {"artifactId": artifact}},
            "default for cloud: Connect descriptor (UNVERIFIED: no known working body)",
        )
    return (
        {
            "frameworkId": "plugin",
            "attributes": {"artifactId": artifact, "pluginFrameworkType": "P2"},
        },
        f"default for {hosting}: P2 plugin (as in a body known to work)",
    )


def _compat_json(items: Iterable[Compatibility]) -> list[dict[str, Any]]:
    return [
        {
            "parentSoftwareId": c.parent_software_id,
            "minBuildNumber": c.min_build,
            "maxBuildNumber": c.max_build,
        }
        for c in items
    ]


def _nothing_to_copy(
    what: str,
    spec: VersionSpec,
    version_number: str,
    previous: ExistingVersion | None,
    has: bool,
    unreadable: bool = False,
) -> str | None:
    """Why ``what`` cannot be copied, or None when it can."""
    if not spec.copy_from_previous:
        return "release.copy-from-previous is false and nothing is stated"
    line = major_line(version_number)
    if line is None:
        return (
            f"version {version_number!r} does not start with a number, so it has no major "
            "line to copy from"
        )
    if previous is None:
        return f"first release of major line {line} has no previous version to copy from"
    if unreadable:
        return f"the previous version {previous.label} has {what} entries this tool cannot read"
    if not has:
        return f"the previous version {previous.label} has no {what} to copy"
    return None


def build_version_plan(
    spec: VersionSpec,
    *,
    version_number: str,
    artifact_id: str | None,
    versions: Sequence[ExistingVersion],
    notes: str | None,
    app_software: AppSoftware | None = None,
) -> VersionPlan:
    """Plan the version ``version_number`` of ``spec.hosting``'s app software.

    ``artifact_id`` is the uploaded artifact's ID (None before the upload: the body then
    holds ``"<artifact ID of 'NAME' after upload>"``); ``versions`` every existing
    version (all pages); ``notes`` the release notes text already resolved (see
    :func:`~release_publisher.release.changelog.notes_from_config`; None: none).

    Each field of the body, in order: ``buildNumber`` (:func:`next_build_number`),
    ``versionNumber``, ``compatibilities``, ``supportedPaymentModel`` and ``licenseType``
    (config, else copied from :func:`choose_previous` when ``copy_from_previous``, else
    missing -- ``licenseType`` is optional and just left out), ``frameworkDetails``
    (``plugin``/P2 for server and datacenter; ``connect`` for cloud, UNVERIFIED),
    ``supported``, ``beta``, ``acceptedAgreements`` (left out when none),
    ``changelog`` ``{releaseSummary, releaseNotes}`` (each left out when None; the whole
    object when both are). Pure and deterministic: call it again with the IDs after the
    uploads.
    """
    build = next_build_number(versions, spec)
    previous = choose_previous(versions, version_number)
    copy_source = previous if spec.copy_from_previous else None
    copied_label = f"copied from {previous.label}" if previous else ""
    sources: list[FieldSource] = []
    missing: list[str] = []
    missing_fields: list[str] = []
    copied = False

    def stated(key: str) -> str:
        return "config" if key in spec.stated else "default"

    body: dict[str, Any] = {"buildNumber": build, "versionNumber": version_number}
    if spec.build_number == "auto":
        highest = max((v.build_number for v in versions), default=None)
        why = (
            f"auto: 1 + the highest existing build number ({highest})"
            if highest is not None
            else "auto: 1, the first version of this app software"
        )
    else:
        why = "config"
    sources.append(FieldSource("buildNumber", build, why))
    sources.append(FieldSource("versionNumber", version_number, "the release version"))

    # compatibilities
    if spec.compatibility is not None:
        body["compatibilities"] = _compat_json(spec.compatibility)
        sources.append(FieldSource("compatibilities", body["compatibilities"], "config"))
    else:
        reason = _nothing_to_copy(
            "compatibility",
            spec,
            version_number,
            copy_source,
            bool(copy_source and copy_source.compatibilities),
            bool(copy_source and copy_source.unreadable_compatibilities),
        )
        if reason is None and copy_source is not None:
            body["compatibilities"] = _compat_json(copy_source.compatibilities)
            sources.append(FieldSource("compatibilities", body["compatibilities"], copied_label))
            copied = True
        else:
            missing.append(f"compatibility: {reason}; state release.compatibility")
            missing_fields.append("release.compatibility")
            sources.append(FieldSource("compatibilities", None, f"MISSING: {reason}"))

    # supportedPaymentModel
    if spec.payment_model is not None:
        body["supportedPaymentModel"] = spec.payment_model
        sources.append(FieldSource("supportedPaymentModel", spec.payment_model, "config"))
    else:
        reason = _nothing_to_copy(
            "payment model",
            spec,
            version_number,
            copy_source,
            bool(copy_source and copy_source.payment_model),
        )
        if reason is None and copy_source is not None:
            body["supportedPaymentModel"] = copy_source.payment_model
            sources.append(
                FieldSource("supportedPaymentModel", copy_source.payment_model, copied_label)
            )
            copied = True
        else:
            missing.append(f"payment model: {reason}; state release.payment-model")
            missing_fields.append("release.payment-model")
            sources.append(FieldSource("supportedPaymentModel", None, f"MISSING: {reason}"))

    # licenseType (optional)
    if spec.license_type is not None:
        body["licenseType"] = {"id": spec.license_type}
        sources.append(FieldSource("licenseType", body["licenseType"], "config"))
    elif copy_source is not None and copy_source.license_type is not None:
        body["licenseType"] = {"id": copy_source.license_type}
        sources.append(FieldSource("licenseType", body["licenseType"], copied_label))
        copied = True
    else:
        sources.append(FieldSource("licenseType", None, "not sent: not stated and nothing to copy"))

    artifact = (
        artifact_id
        if artifact_id is not None
        else f"<artifact ID of {spec.artifact!r} after upload>"
    )
    framework, framework_why = _framework(spec.hosting, artifact)
    body["frameworkDetails"] = framework
    sources.append(FieldSource("frameworkDetails", framework, framework_why))
    body["supported"] = spec.supported
    sources.append(FieldSource("supported", spec.supported, stated("supported")))
    body["beta"] = spec.beta
    sources.append(FieldSource("beta", spec.beta, stated("beta")))
    if spec.agreements:
        body["acceptedAgreements"] = [{"agreementUrl": url} for url in spec.agreements]
        sources.append(FieldSource("acceptedAgreements", body["acceptedAgreements"], "config"))
    else:
        sources.append(FieldSource("acceptedAgreements", None, "not sent: none stated"))
    changelog: dict[str, str] = {}
    if spec.summary is not None:
        changelog["releaseSummary"] = spec.summary
    if notes is not None:
        changelog["releaseNotes"] = notes
    if changelog:
        body["changelog"] = changelog
        origin = (
            f"config (summary; notes from {spec.notes_file}, section {version_number})"
            if spec.notes_file and notes is not None
            else "config"
        )
        sources.append(FieldSource("changelog", changelog, origin))
    else:
        sources.append(FieldSource("changelog", None, "not sent: no summary or notes stated"))

    placeholders = artifact_id is None
    return VersionPlan(
        hosting=spec.hosting,
        version_number=version_number,
        build_number=build,
        body=body,
        previous=previous,
        copied_from=copy_source if copied else None,
        sources=sources,
        missing=missing,
        missing_fields=missing_fields,
        conflicts=find_conflicts(versions, version_number, build),
        has_placeholders=placeholders,
        app_software=app_software,
        auto_build_number=spec.build_number == "auto",
    )


def require_complete(plan: VersionPlan, *, location: Location | None = None) -> None:
    """Refuse a plan with anything missing: call it BEFORE any upload.

    Raises :class:`ConfigError` (exit 2) listing what is missing, with a hint naming the
    config fields to state (e.g. ``release.compatibility``); ``location`` (e.g.
    ``config.where("release")``) is attached to the error.
    """
    if plan.complete:
        return
    examples = {
        "release.compatibility": 'compatibility: [{parent-software-id: "jira", min-build: '
        "900000, max-build: 1000000}]",
        "release.payment-model": "payment-model: free (or paid-via-atlassian, paid-via-vendor)",
    }
    shown = "; ".join(examples.get(f, f) for f in plan.missing_fields)
    raise ConfigError(
        f"cannot create version {plan.version_number}: " + "; ".join(plan.missing),
        hint=f"state {' and '.join(plan.missing_fields)} in the release: section, e.g. {shown}",
        location=location,
    )


def conflict_error(
    conflicts: Sequence[Conflict], *, version_number: str, build_number: int
) -> VerificationError:
    """The :class:`VerificationError` (exit 5) for clashing versions: it shows the version
    number and build number being created and every existing version that clashes."""
    clashes = ", ".join(
        f"{c.existing.label}{' ' + c.existing.state if c.existing.state else ''}" for c in conflicts
    )
    return VerificationError(
        f"version {version_number} (build number {build_number}) clashes with what "
        f"Marketplace already has: {clashes}",
        hint="release a new version number (app.version or --version); for a build-number "
        "clash set release.build-number to an unused number or to auto",
    )
