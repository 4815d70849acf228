"""The app version stage (the ``release:`` section): from verified artifact to app
version and listing.

- :meth:`VersionStage.plan`, BEFORE anything is uploaded: resolves the app
  (``GET /rest/3/app-software/app-key/{appKey}``, one ``appSoftwareId`` per hosting),
  reads every version (``GET /rest/3/app-software/{appSoftwareId}/versions``,
  paginated), refuses a version or build number that already exists, unless it is
  exactly this release (same version number, an artifact with the same SHA-512): then
  it records on the run that the release is already published (``run.done``), or,
  when only the listing is missing, that the artifact is not to be uploaded again
  (``run.skip_artifacts``). It builds the version plan (what is copied from the
  latest version of the same major line, what is missing); a plan with something
  missing is refused here, so no upload budget is spent on a release that cannot
  become a version. In a dry run it prints the plan and stops.
- :meth:`VersionStage.apply`, AFTER its artifact is verified (:meth:`VersionStage.tasks`):
  ``POST /rest/3/app-software/{appSoftwareId}/versions`` with the artifact ID, then
  ``GET .../versions/{buildNumber}`` to compare what was stored with what was sent. The
  version plan is handed to the listing stage (:mod:`.listing`) on the run
  (``run.version_plan``); the version itself is in ``run.result.release``.

Which fields Marketplace requires is not documented: a 400 shows the server's field
errors and the body that was sent (see the client).
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from ..config.model import ReleaseConfig, VersionSpec
from ..errors import ApiError, ConfigError, VerificationError
from ..preflight.model import LocalArtifact
from ..result import (
    MARKETPLACE_PAGE,
    RELEASE_ALREADY_PUBLISHED,
    RELEASE_CREATED,
    RELEASE_PLANNED,
    RELEASE_PLANNING,
    RELEASE_SKIPPED,
    CopiedFrom,
    ReleaseInfo,
    ReleaseResult,
)
from .captions import caption_for
from .compatibility import resolve_compatibility
from .existing import (
    AppSoftware,
    ExistingVersion,
    parse_app_software,
    parse_version,
    select_app_software,
)
from .readback import (
    compare_stored,
    concurrent_warning,
    duplicate_error,
    duplicate_is_ours,
    stored_otherwise_error,
)
from .render import (
    NO_READ_ACCESS,
    RERUN_HINT,
    already_published_line,
    render_plan,
    skipped_line,
    skipped_warning,
)
from .resume import listing_still_missing, verified_checksum
from .rules import (
    AGREEMENT_NOTICE,
    Conflict,
    VersionPlan,
    build_version_plan,
    conflict_error,
    require_complete,
)
from .run import MarketplaceApi, Run
from .tasks import Task, artifact_task

log = logging.getLogger("release_publisher")


@dataclass
class VersionStage:
    """The ``release:`` section's work for one run (only for a config that has one).
    What it found is kept for ``apply`` and for tests: the app software, the
    existing versions, the version plan, the existing version that is this release."""

    title = "App version"

    app: AppSoftware | None = None
    versions: list[ExistingVersion] = field(default_factory=list)
    version_plan: VersionPlan | None = None
    already_published: ExistingVersion | None = None
    #: the existing version that is this release but still lacks its listing
    existing_version: ExistingVersion | None = None
    #: the existing version that is this release, and its artifact's SHA-512
    _existing: tuple[ExistingVersion, str] | None = None
    #: ``release.if-exists: skip``: the existing version with this version number
    skipped: ExistingVersion | None = None
    #: the version another run of this same release created meanwhile
    concurrent: ExistingVersion | None = None
    _run: Run | None = None
    #: the ``release:`` section with product-version compatibility resolved (None
    #: before :meth:`prepare`; see :mod:`.compatibility`)
    resolved_spec: VersionSpec | None = None

    @property
    def run(self) -> Run:
        """The run being planned or applied (set by :meth:`plan`)."""
        assert self._run is not None, "VersionStage.plan() was not called"
        return self._run

    @property
    def api(self) -> MarketplaceApi:
        """The Marketplace API of the run."""
        return self.run.require_api()

    @property
    def spec(self) -> VersionSpec:
        """The ``release:`` section (the stage exists only when it is present)."""
        assert self.config.release is not None
        return self.config.release

    @property
    def config(self) -> ReleaseConfig:
        """The release config."""
        return self.run.plan.config

    def plan(self, run: Run) -> None:
        """Plan the version (see :meth:`prepare`) in the phase "App version plan" and
        record the decision on ``run``: ``run.done`` when this very release is already
        published, ``release.artifact`` in ``run.skip_artifacts`` when only its listing
        is missing. In a dry run, print the plan (without credentials: what it would
        need), and on a refusal the plan before the error. Raises what
        :meth:`prepare` raises."""
        self._run = run
        if not run.dry_run:
            with run.phase("App version plan", "version-plan"):
                self.prepare(run.result)
            if self.already_published is not None or self.skipped is not None:
                run.done = True
            elif self.existing_version is not None:
                run.skip_artifacts.add(self.spec.artifact)
            return
        if run.api is None:
            log.info("%s", NO_READ_ACCESS)
            return
        try:
            with run.phase("App version plan (read-only requests)", None):
                self.prepare(run.result)
        except ConfigError:
            # show what was planned and what is missing before the error itself
            if self.version_plan is not None:
                for line in render_plan(self.version_plan):
                    log.info("%s", line)
            raise
        if self.already_published is not None:
            log.info("%s", already_published_line(self.config.version))
            run.done = True  # as publish would find it: nothing further is planned
        elif self.skipped is not None:
            log.info("%s", skipped_line(self.config.version, self.skipped.label))
            run.done = True
        elif self.existing_version is not None:
            run.skip_artifacts.add(self.spec.artifact)
            log.info(
                "Version %s would not be created: it exists as build %d with this very "
                "artifact; only its listing would be published if it has none",
                self.config.version,
                self.existing_version.build_number,
            )
        elif self.version_plan is not None:
            for line in render_plan(self.version_plan):
                log.info("%s", line)

    def tasks(self, run: Run) -> list[Task]:
        """One task, ``version``: :meth:`apply` as soon as ``release.artifact`` is
        verified (its artifact task; nothing when the stage skips that artifact)."""
        assert run.plan.config.release is not None
        artifact = run.plan.config.release.artifact
        after = () if artifact in run.skip_artifacts else (artifact_task(artifact),)
        return [Task(name="version", work=lambda: self.apply(run), after=after)]

    def apply(self, run: Run) -> None:
        """Create the version (see :meth:`finish`) in the phase "App version"."""
        self._run = run
        with run.phase("App version", "version"):
            self.finish(run.result)

    def artifact(self) -> LocalArtifact:
        """The artifact named by ``release.artifact``."""
        for art in self.run.plan.artifacts:
            if art.name == self.spec.artifact:
                return art
        raise ConfigError(
            f"release.artifact names {self.spec.artifact!r}, which is not in artifacts[]",
            location=self.config.where("release.artifact"),
        )

    def prepare(self, result: ReleaseResult) -> None:
        """Resolve the app and its versions, check for duplicates, build the plan.

        Sets ``already_published`` when this exact release exists already. Raises
        :class:`VerificationError` (exit 5) for a conflicting version or build number,
        :class:`ConfigError` (exit 2) for a hosting the app does not have or a plan that
        misses something (e.g. compatibility for the first release of a major line),
        :class:`ApiError` for HTTP failures.
        """
        spec, config = self.spec, self.config
        info = result.release = ReleaseInfo(
            status=RELEASE_PLANNING,
            hosting=spec.hosting,
            version_number=config.version,
            marketplace_page=MARKETPLACE_PAGE.format(app_key=config.app_key),
        )
        entries = parse_app_software(self.api.get_app_software(config.app_key))
        self.app = select_app_software(entries, spec.hosting, app_key=config.app_key)
        info.app_software_id = self.app.id
        log.info("App software %s (%s hosting)", self.app.id, spec.hosting)
        self.versions = [parse_version(item) for item in self.api.list_versions(self.app.id)]
        log.info("Marketplace has %d version(s) of this app software", len(self.versions))
        self.resolved_spec, ranges = resolve_compatibility(
            spec,
            self.api,
            versions=self.versions,
            version_number=config.version,
            where=config.where,
        )
        info.compatibility = [r.to_dict() for r in ranges]
        for resolved in ranges:
            log.info("Compatibility: %s", resolved.describe())

        self.version_plan = plan = self._version_plan_for(artifact_id=None)
        self.run.version_plan = plan
        if plan.conflicts:
            self._conflict(plan.conflicts, info, result)
            if self._existing is not None:
                self._record_existing(result, *self._existing)
                return
            if self.skipped is not None:
                return
        info.build_number = plan.build_number
        self._record_texts(info, plan)
        copied = sorted({s.field for s in plan.sources if s.source.startswith("copied")})
        # a dry run prints the whole plan (render_plan) instead of this short form
        log.log(
            logging.DEBUG if self.run.dry_run else logging.INFO,
            "Plan: version %s, build number %d%s",
            config.version,
            plan.build_number,
            f"; {', '.join(copied)} copied from {plan.copied_from.version_number} "
            f"(build {plan.copied_from.build_number})"
            if plan.copied_from is not None and copied
            else "",
        )
        if plan.copied_from is not None:
            info.copied_from = CopiedFrom(
                build_number=plan.copied_from.build_number,
                version_number=plan.copied_from.version_number,
            )
        require_complete(plan, location=config.where("release"))
        info.status = RELEASE_PLANNED
        if not spec.agreements and AGREEMENT_NOTICE not in result.warnings:
            log.warning("%s", AGREEMENT_NOTICE)
            result.warnings.append(AGREEMENT_NOTICE)

    def _version_plan_for(self, *, artifact_id: str | None) -> VersionPlan:
        """The version plan (``artifact_id`` None: before the uploads, a placeholder)."""
        return build_version_plan(
            self.resolved_spec or self.spec,
            version_number=self.config.version,
            artifact_id=artifact_id,
            versions=self.versions,
            notes=self.run.notes,
            app_software=self.app,
        )

    def _conflict(
        self, conflicts: list[Conflict], info: ReleaseInfo, result: ReleaseResult
    ) -> None:
        """Decide what an existing version with this version number means.

        Exactly this release (its artifact holds this release's SHA-512): already
        published (``already_published``), or, when the config asks for a listing and
        the version has none (a previous run failed at the listing), the listing is
        still to publish (``existing_version``; nothing is uploaded again). Another
        artifact under this version number with ``release.if-exists: skip``: reported
        as already there (``skipped``, a warning naming both SHA-512s in
        ``result.warnings``). Anything else is a refusal (exit 5)."""
        config = self.config
        same_version = [c.existing for c in conflicts if c.same_version_number]
        checksums: dict[int, tuple[str | None, str | None]] = {}
        for existing in same_version:
            theirs, ours = self._checksums(existing)
            checksums[existing.build_number] = (theirs, ours)
            if not (theirs and ours and theirs == ours):
                continue
            checksum = theirs
            self._existing = (existing, checksum)
            self._describe_existing(info, existing)
            if listing_still_missing(
                wants_listing=self.spec.listing is not None, existing=existing.raw
            ):
                self.existing_version = existing
                info.status = RELEASE_CREATED
                log.info(
                    "Version %s exists as build %d with this very artifact (same SHA-512); "
                    "checking whether it has a listing, nothing is uploaded again",
                    config.version,
                    existing.build_number,
                )
                return
            self.already_published = existing
            info.status = RELEASE_ALREADY_PUBLISHED
            info.listing_not_published = "the version was already there; nothing was sent"
            log.info(
                "Version %s already exists as build %d with this very artifact "
                "(same SHA-512): already published, nothing to do",
                config.version,
                existing.build_number,
            )
            return
        assert self.version_plan is not None
        theirs, ours = checksums[same_version[0].build_number] if same_version else (None, None)
        if same_version and self.spec.if_exists == "skip":
            existing = same_version[0]
            self.skipped = existing
            self._describe_existing(info, existing)
            info.status = RELEASE_SKIPPED
            info.listing_not_published = (
                "release.if-exists: skip and the version number exists with another artifact"
            )
            warning = skipped_warning(config.version, existing.label, theirs=theirs, ours=ours)
            log.warning("%s", warning)
            result.warnings.append(warning)
            return
        error = conflict_error(
            conflicts,
            version_number=config.version,
            build_number=self.version_plan.build_number,
            auto_build_number=self.version_plan.auto_build_number,
            theirs=theirs,
            ours=ours,
        )
        if same_version:
            art = self.artifact()
            unknown = art.path is None and not art.spec.sha512
            if unknown:
                error.message += (
                    "; this release's artifact cannot be compared with it (a url artifact "
                    "without sha512)"
                )
            if unknown:
                error.hint = (
                    f"set artifacts[].sha512 for {art.name!r} so that an identical re-run is "
                    "recognised as already published; " + (error.hint or "")
                )
        raise error

    def _record_texts(self, info: ReleaseInfo, plan: VersionPlan) -> None:
        """Record in ``info`` the texts the plan sends: the changelog and the captions."""
        changelog = plan.body.get("changelog")
        info.changelog = dict(changelog) if isinstance(changelog, dict) else None
        listing = self.spec.listing
        info.captions = [
            (img.path.name, caption_for(img.path, listing.captions)[0])
            for img in self.run.plan.images
            if listing is not None and listing.screenshots and img.type == listing.screenshots
        ]
        if listing is None:
            info.listing_not_published = "not asked for (no release.listing in the config)"

    def _describe_existing(self, info: ReleaseInfo, existing: ExistingVersion) -> None:
        """Report ``existing`` as the release's version in ``info``."""
        info.build_number = existing.build_number
        info.state = existing.state
        info.artifact_id = existing.artifact_id
        info.url = self._link(existing.raw, existing.build_number)

    def _checksums(self, existing: ExistingVersion) -> tuple[str | None, str | None]:
        """(the SHA-512 hex of ``existing``'s artifact as Marketplace reports it, this
        release's SHA-512 hex): the local file's; for a url artifact the configured
        ``sha512`` or the checksum a resumed run verified for that very artifact ID.
        Either is None when unknown (no artifact, a 404, a checksum that is not a
        SHA-512)."""
        art = self.artifact()
        if art.path is not None:
            ours: str | None = self.run.checksums.sha512(art.path)
        else:
            ours = art.spec.sha512
            if ours is None and existing.artifact_id:
                ours = verified_checksum(self.run.previous, art.name, existing.artifact_id)
        if not existing.artifact_id:
            return None, ours
        try:
            theirs = self.api.get_artifact(existing.artifact_id).reported_sha512()
        except VerificationError:
            return None, ours  # a checksum that is not a SHA-512 proves nothing
        except ApiError as err:
            if err.status != 404:
                raise
            return None, ours
        return theirs or None, ours

    def _record_existing(
        self, result: ReleaseResult, existing: ExistingVersion, checksum: str
    ) -> None:
        """Report the existing version's artifact as this run's artifact (it holds
        these bytes: ``checksum``), so the outputs carry its ID."""
        for record in result.artifacts:
            if record.name == self.spec.artifact and existing.artifact_id:
                record.id = existing.artifact_id
                record.checksum = checksum
                record.verified = {"checksum": checksum}
                record.state = "verified"
                record.reused = True

    def finish(self, result: ReleaseResult) -> None:
        """Create the version from the verified artifact (not when it exists already) and
        read it back; the listing stage publishes its listing.

        A duplicate answer (409 ``DUPLICATE_VERSION``), or a create whose answer was lost
        after the body was sent, is reconciled by reading the version with this build
        number (:meth:`_reconcile`). Raises :class:`ApiError`, and
        :class:`VerificationError` (exit 5) when the version Marketplace stored differs
        from what was sent (:func:`~.readback.compare_stored`) or a duplicate is another
        release."""
        if (
            self.already_published is not None
            or self.skipped is not None
            or self.version_plan is None
        ):
            return
        assert self.app is not None and result.release is not None
        info = result.release
        record = next(a for a in result.artifacts if a.name == self.spec.artifact)
        assert record.id is not None
        plan = self._version_plan_for(artifact_id=record.id)
        self.run.version_plan = plan
        if info.status != RELEASE_CREATED:
            log.info(
                "Creating version %s (build %d) from artifact %s",
                self.config.version,
                plan.build_number,
                record.id,
            )
            try:
                created = self.api.create_version(self.app.id, plan.body)
            except ApiError as err:
                created = self._reconcile(err, plan.body, record.id, record.checksum)
            if self.concurrent is not None:
                self._describe_existing(info, self.concurrent)
                info.status = RELEASE_ALREADY_PUBLISHED
                info.listing_not_published = (
                    "the version was created by another run of this release, which "
                    "publishes its listing"
                )
                return
            info.status = RELEASE_CREATED
            info.build_number = _int(created.get("buildNumber")) or plan.build_number
            state = created.get("state")
            info.state = state if isinstance(state, str) else None
            info.url = self._link(created, plan.build_number)
            log.info(
                "Created version %s: build %s, state %s",
                self.config.version,
                info.build_number,
                info.state,
            )
            self._read_back(plan.body, int(info.build_number or plan.build_number))

    def _read_back(self, body: dict[str, Any], build_number: int) -> None:
        """``GET .../versions/{buildNumber}`` and compare every field of ``body`` the
        server echoes (:func:`~.readback.compare_stored`). Raises
        :class:`VerificationError` (exit 5) naming each field, sent and stored."""
        assert self.app is not None
        stored = self.api.get_version(self.app.id, build_number)
        differences = compare_stored(body, stored)
        if differences:
            raise stored_otherwise_error(self.config.version, build_number, differences)
        log.info(
            "Read back version %s (build %d): it holds what was sent",
            self.config.version,
            build_number,
        )

    def _reconcile(
        self, err: ApiError, body: dict[str, Any], artifact_id: str, checksum: str | None
    ) -> dict[str, Any]:
        """What a failed create means when a version with this build number may exist:
        a duplicate answer (409, ``DUPLICATE``) or a lost one (``may_have_taken_effect``,
        a 5xx). Reads ``GET .../versions/{buildNumber}``; by
        :func:`~.readback.duplicate_is_ours` returns it as created (this run's version
        number and artifact ID), or as another run's of this release (same SHA-512:
        ``concurrent`` set, a warning). Anything else re-raises ``err`` showing both."""
        assert self.app is not None
        duplicate = err.status == 409 or "DUPLICATE" in (err.server_message or "").upper()
        lost = err.may_have_taken_effect or (err.status is not None and err.status >= 500)
        build = int(body["buildNumber"])
        stored: dict[str, Any] | None = None
        if duplicate or lost:
            with contextlib.suppress(ApiError):
                stored = self.api.get_version(self.app.id, build)
        if stored is None:
            raise _with_rerun_hint(err) from None
        found = parse_version(stored) if _int(stored.get("buildNumber")) else None
        theirs_sha = None
        if found is not None and found.artifact_id and found.artifact_id != artifact_id:
            theirs_sha, _ = self._checksums(found)
        verdict = duplicate_is_ours(
            stored,
            version_number=self.config.version,
            artifact_id=artifact_id,
            checksum=checksum,
            their_checksum=theirs_sha,
        )
        if verdict == "other":
            raise duplicate_error(err, found, build, self.config.version, artifact_id) from None
        if verdict == "concurrent":
            self.concurrent = found
            warning = concurrent_warning(self.config.version, build)
            log.warning("%s", warning)
            self.run.result.warnings.append(warning)
        else:
            log.info(
                "Version %s (build %d) exists with this run's artifact %s: it was created "
                "(the answer was a duplicate or lost); going on",
                self.config.version,
                build,
                artifact_id,
            )
        return stored

    def _link(self, created: dict[str, Any], build_number: int) -> str:
        """The version's URL: its ``_links.self.href`` made absolute, else the API path."""
        links = created.get("_links") or created.get("links") or {}
        href = None
        if isinstance(links, dict):
            self_link = links.get("self")
            href = self_link.get("href") if isinstance(self_link, dict) else self_link
        assert self.app is not None
        if not isinstance(href, str) or not href:
            href = f"/rest/3/app-software/{self.app.id}/versions/{build_number}"
        return urljoin(self.config.base_url.rstrip("/") + "/", href.lstrip("/"))


def _with_rerun_hint(err: ApiError) -> ApiError:
    """``err`` with how to finish the release. A failure a re-run can finish (no
    answer, a timeout, 408, 429, 5xx, or a request that may have taken effect): run
    the same release again (:data:`~.render.RERUN_HINT`), a re-run recognises what
    exists. A deterministic refusal (any other 4xx: a field the server refuses) fails
    the same way again: fix the field it names first."""
    if rerun_can_finish(err):
        rerun = RERUN_HINT
    else:
        rerun = (
            f"a re-run as it is fails the same way (HTTP {err.status} is Marketplace's answer "
            "to what was sent): fix the field it names in the release config first, then run "
            "the release with --resume RESULT.json (action: resume-from) so that uploaded "
            "files are reused"
        )
    err.hint = f"{err.hint}; {rerun}" if err.hint else rerun
    return err


def rerun_can_finish(err: ApiError) -> bool:
    """True when running the same release again can succeed where ``err`` failed: no
    HTTP answer (``status`` None: a timeout, a reset), 408, 429, a 5xx, or a request
    that may have taken effect; False for any other answer (a deterministic 4xx)."""
    status = err.status
    return status is None or status >= 500 or status in (408, 425, 429) or err.may_have_taken_effect


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
