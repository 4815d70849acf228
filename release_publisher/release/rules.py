"""The rules of an app version, and the exact request bodies: pure functions over plain
data (no HTTP, no clock, no disk).

- what Marketplace reports is parsed by :mod:`.existing` (app software, versions);
- what to copy from: :mod:`.copying` (:func:`~.copying.major_line`,
  :func:`~.copying.choose_previous`, ``release.copy-from``);
- the rules: :func:`find_conflicts` and :func:`conflict_error` (an existing version or build
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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..config.model import VERSION_OPTION, Compatibility, VersionSpec
from ..errors import ConfigError, Location, VerificationError
from ..preflight.model import Plan
from .copying import (
    COPY_RULE,
    choose_previous,
    find_copy_from,
    major_line,
    newest_of_previous_line,
    passed_over,
)
from .existing import AppSoftware, ExistingVersion

# -------------------------------------------------------------------------- rules


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

#: the agreement Marketplace's publish dialog asks to accept (the proven client sends it)
PARTNER_AGREEMENT_URL = "https://www.atlassian.com/licensing/marketplace/partneragreement"
#: what the plan and the job summary say when ``release.agreements`` is not set
AGREEMENT_NOTICE = (
    "the Marketplace Partner Agreement was not accepted by this request "
    "(release.agreements is not set); Marketplace's publish dialog asks to accept it "
    f"({PARTNER_AGREEMENT_URL}); to accept it, add to the release: section: "
    f'agreements: ["{PARTNER_AGREEMENT_URL}"]'
)


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
    #: the versions of the major line passed over as a copy source, with the reason
    passed_over: tuple[tuple[ExistingVersion, str], ...] = ()
    #: how ``previous`` was chosen, in words (:data:`COPY_RULE` or ``release.copy-from``)
    copy_rule: str = COPY_RULE
    #: with no ``previous``: the newest version of the major line below (for the hint)
    previous_line: ExistingVersion | None = None

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
    skipped: Sequence[tuple[ExistingVersion, str]] = (),
) -> str | None:
    """Why ``what`` cannot be copied, or None when it can. ``skipped``: the versions
    of the line passed over (:func:`passed_over`), named when nothing qualifies."""
    if not spec.copy_from_previous:
        return "release.copy-from-previous is false and nothing is stated"
    line = major_line(version_number)
    if line is None and spec.copy_from is None:
        return (
            f"version {version_number!r} does not start with a number, so it has no major "
            "line to copy from"
        )
    if previous is None and skipped:
        shown = "; ".join(f"{v.label}: {why}" for v, why in skipped[:10])
        return (
            f"no version of major line {line} qualifies to copy from ({COPY_RULE}); "
            f"passed over: {shown}"
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
    previous = (
        find_copy_from(versions, spec.copy_from)
        if spec.copy_from is not None and spec.copy_from_previous
        else choose_previous(versions, version_number)
    )
    skipped = passed_over(versions, version_number) if spec.copy_from is None else []
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
            skipped,
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
            skipped=skipped,
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
        sources.append(FieldSource("acceptedAgreements", None, f"not sent: {AGREEMENT_NOTICE}"))
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
        passed_over=tuple(skipped),
        copy_rule=f"release.copy-from: {spec.copy_from}"
        if spec.copy_from is not None
        else COPY_RULE,
        previous_line=newest_of_previous_line(versions, version_number)
        if previous is None
        else None,
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
    hint = f"state {' and '.join(plan.missing_fields)} in the release: section, e.g. {shown}"
    if plan.previous is None and plan.previous_line is not None:
        hint += (
            f"; or copy them from the newest version of the previous major line: "
            f'copy-from: "{plan.previous_line.version_number}"'
        )
    raise ConfigError(
        f"cannot create version {plan.version_number}: " + "; ".join(plan.missing),
        hint=hint,
        location=location,
    )


#: why a rebuilt artifact differs from the one on Marketplace, for the clash message
REPRODUCIBLE_NOTE = (
    "a rebuilt artifact differs byte for byte unless the build is reproducible (Maven: "
    "set project.build.outputTimestamp to a fixed date, e.g. <project.build.outputTimestamp>"
    "2026-01-01T00:00:00Z</project.build.outputTimestamp>, or to ${git.commit.time} with "
    "git-commit-id-maven-plugin)"
)


def conflict_error(
    conflicts: Sequence[Conflict],
    *,
    version_number: str,
    build_number: int,
    auto_build_number: bool = True,
    theirs: str | None = None,
    ours: str | None = None,
) -> VerificationError:
    """The :class:`VerificationError` (exit 5) for clashing versions: it shows the version
    number and build number being created and every existing version that clashes.

    A build number stated in the config (``auto_build_number`` False) that an existing
    version of ANOTHER version number has leads the message and the hint. For a clash
    on the version number, ``theirs``/``ours`` are the SHA-512 hex of the existing
    version's artifact and of this release's (None: unknown, shown as ``none``/
    ``unknown``); the message adds :data:`REPRODUCIBLE_NOTE` and the hint the two ways
    out (``release.if-exists: skip``, or a new version number)."""
    clashes = ", ".join(
        f"{c.existing.label}{' ' + c.existing.state if c.existing.state else ''}" for c in conflicts
    )
    build_only = [c for c in conflicts if c.same_build_number and not c.same_version_number]
    same_version = any(c.same_version_number for c in conflicts)
    if build_only and not auto_build_number:
        other = build_only[0].existing
        return VerificationError(
            f"release.build-number {build_number} is taken: Marketplace already has build "
            f"{build_number} as version {other.version_number} (version {version_number} "
            f"clashes with: {clashes})",
            hint="set release.build-number to an unused number (higher than every existing "
            "one) or to auto",
        )
    if same_version and auto_build_number:  # the planned build number means nothing here
        message = f"version {version_number} clashes with what Marketplace already has: {clashes}"
    else:
        message = (
            f"version {version_number} (build number {build_number}) clashes with what "
            f"Marketplace already has: {clashes}"
        )
    if not same_version:
        return VerificationError(
            message,
            hint="set release.build-number to an unused number or to auto",
        )
    message += (
        f"; its artifact's SHA-512 is {theirs or 'none (no artifact, or no checksum)'}, "
        f"this release's is {ours or 'unknown'}; {REPRODUCIBLE_NOTE}"
    )
    return VerificationError(
        message,
        hint="two ways out: keep what Marketplace has and report it as already there with "
        "release.if-exists: skip (action input if-exists: skip, option --if-exists skip), "
        f"or release a new version number (app.version or {VERSION_OPTION})",
    )


def hosting_warnings(plan: Plan) -> list[str]:
    """Warnings for a ``release.hosting`` that does not fit the artifact's kind (a
    P2 JAR/OBR for cloud, a Connect descriptor for server/datacenter), for
    ``check`` and ``publish`` to report before anything is sent."""
    release = plan.config.release
    if release is None:
        return []
    art = next((a for a in plan.artifacts if a.name == release.artifact), None)
    if art is None or art.kind is None:
        return []
    if release.hosting == "cloud" and art.kind in ("jar", "obr", "jwb"):
        return [
            f"release.hosting is cloud but artifact {art.name!r} is a {art.kind.upper()} "
            "(a server/Data Center app): Marketplace will probably refuse the version"
        ]
    if release.hosting in ("server", "datacenter") and art.kind == "connect":
        return [
            f"release.hosting is {release.hosting} but artifact {art.name!r} is a Connect "
            "descriptor (a cloud app): Marketplace will probably refuse the version"
        ]
    return []
