"""Shared fakes of the unit tier: a Marketplace API answering like Marketplace
(:class:`FakeApi`), a CI host's log folding (:class:`FakePhases`), an upload
progress recorder (:class:`FakeProgress`), and a checked plan built in a temporary
directory (:func:`make_plan`). Time is a :class:`~release_publisher.clock.FakeClock`.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from release_publisher.clock import FakeClock
from release_publisher.config.model import ArtifactSpec, ImageSpec, ReleaseConfig, VersionSpec
from release_publisher.errors import ApiError
from release_publisher.marketplace.models import Artifact, Media
from release_publisher.preflight.model import Descriptor, LocalArtifact, LocalImage, Plan
from release_publisher.release import flow
from release_publisher.release.resume import PreviousRun
from release_publisher.release.run import Progress, new_result
from release_publisher.release.tasks import SerialExecutor
from release_publisher.result import ReleaseResult
from release_publisher.testing import build_plugin_jar, write_png

KEY = "com.example.hello"
VERSION = "1.4.2"
#: The app's previous version as Marketplace lists it (public, free, jira 900000-1000000):
#: what a new version copies from.
PREVIOUS_VERSION = {
    "buildNumber": 100,
    "versionNumber": "1.4.1",
    "compatibilities": [
        {"parentSoftwareId": "jira", "minBuildNumber": 900000, "maxBuildNumber": 1000000}
    ],
    "supportedPaymentModel": "free",
    "state": "public",
}
DETAILS = {"key": KEY, "version": VERSION, "name": "Hello", "dataCenterCompatible": True}


class FakePhases:
    """A CI host's log folding: records each phase title."""

    def __init__(self) -> None:
        self.titles: list[str] = []

    @contextmanager
    def group(self, title: str) -> Iterator[None]:
        self.titles.append(title)
        yield


class FakeProgress:
    """A progress factory recording ``(label, sent, total)`` of every callback."""

    def __init__(self) -> None:
        self.events: list[tuple[str, int, int]] = []

    def __call__(self, label: str, total: int) -> Progress:
        def progress(sent: int, total_bytes: int) -> None:
            self.events.append((label, sent, total_bytes))

        return progress


class FakeApi:
    """Answers like Marketplace; ``polls`` is a script of GET answers (details dicts,
    None for 'details absent', or an exception to raise)."""

    def __init__(self, clock: FakeClock, polls: list[Any] | None = None) -> None:
        self.clock = clock
        self.polls = list(polls or [])
        self.calls: list[tuple[str, str, float]] = []
        self.checksum_override: str | None = None
        self.next_id = 0
        self.shas: dict[str, str] = {}  # what "Marketplace" reports per artifact ID
        self.image_content_types: list[str | None] = []
        #: the ``deadline=`` of each ``get_artifact`` call, in order
        self.deadlines: list[float | None] = []
        # the app version endpoints: app software per hosting, versions, what was sent
        self.app_software: list[dict[str, Any]] = [
            {"appSoftwareId": "sw-dc", "hosting": "datacenter", "appKey": KEY}
        ]
        self.versions: list[dict[str, Any]] = []
        self.created: list[tuple[str, dict[str, Any]]] = []
        self.listings: list[tuple[str, int, dict[str, Any]]] = []
        #: what ``get_listing`` answers per build number (absent: 404)
        self.stored_listings: dict[int, dict[str, Any]] = {}
        #: what ``publish_listing`` answers (None: the state sent, APPROVED, revision 1)
        self.listing_answer: dict[str, Any] | None = None
        self.fail_create: Exception | None = None
        #: fields the fake "Marketplace" stores instead of what was sent
        self.store_as: dict[str, Any] = {}
        #: store the created version, then raise this (a lost or duplicate answer)
        self.fail_after_store: Exception | None = None
        #: the listing POST raises this / answers this instead of the usual answer
        self.fail_listing: Exception | None = None
        self.developer_apps: list[dict[str, Any]] = []
        self.app_listings: dict[str, dict[str, Any]] = {}
        self.put_bodies: list[tuple[str, dict[str, Any]]] = []
        #: product -> [(versionNumber, buildNumber)], newest first
        self.parent_versions: dict[str, list[tuple[str, int]]] = {}

    def _artifact(self, details: dict[str, Any] | None, checksum: str | None) -> Artifact:
        return Artifact(
            id=f"a{self.next_id}",
            self_url=f"/rest/3/artifacts/a{self.next_id}",
            checksum=checksum,
            details=details,
            binary_url=f"/rest/3/artifacts/a{self.next_id}/binary",
        )

    def upload_artifact(
        self, path: Path, *, progress: Progress | None = None
    ) -> tuple[Artifact, str]:
        self.next_id += 1
        self.calls.append(("upload", str(path), self.clock.monotonic()))
        sha = hashlib.sha512(path.read_bytes()).hexdigest()
        self.current_sha = self.checksum_override or sha
        self.shas[f"a{self.next_id}"] = self.current_sha
        return self._artifact(None, self.current_sha), sha

    def fetch_artifact(self, uri: str) -> Artifact:
        self.next_id += 1
        self.calls.append(("fetch", uri, self.clock.monotonic()))
        self.current_sha = self.checksum_override or "ab" * 64
        self.shas[f"a{self.next_id}"] = self.current_sha
        return self._artifact(None, self.current_sha)

    def get_artifact(self, artifact_id: str, *, deadline: float | None = None) -> Artifact:
        self.calls.append(("get", artifact_id, self.clock.monotonic()))
        self.deadlines.append(deadline)
        answer = self.polls.pop(0) if self.polls else DETAILS
        if isinstance(answer, Exception):
            raise answer
        return Artifact(
            id=artifact_id,
            self_url=f"/rest/3/artifacts/{artifact_id}",
            checksum=self.shas.get(artifact_id),
            details=answer,
        )

    def upload_image(
        self,
        image_type: str,
        path: Path,
        *,
        progress: Progress | None = None,
        content_type: str | None = None,
    ) -> Media:
        self.image_content_types.append(content_type)
        self.calls.append(("image", f"{image_type}:{path.name}", self.clock.monotonic()))
        return Media(id=f"img-{path.name}")

    def close(self) -> None:
        self.calls.append(("close", "", self.clock.monotonic()))

    def get_app_software(self, app_key: str) -> list[dict[str, Any]]:
        self.calls.append(("app-software", app_key, self.clock.monotonic()))
        return list(self.app_software)

    def list_versions(self, app_software_id: str) -> list[dict[str, Any]]:
        self.calls.append(("versions", app_software_id, self.clock.monotonic()))
        return list(self.versions)

    def create_version(self, app_software_id: str, body: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(("create-version", app_software_id, self.clock.monotonic()))
        if self.fail_create is not None:
            raise self.fail_create
        self.created.append((app_software_id, body))
        build = body["buildNumber"]
        self.versions.append({**body, "state": "public", **self.store_as})
        if self.fail_after_store is not None:
            raise self.fail_after_store
        return {
            "buildNumber": build,
            "state": "public",
            "_links": {
                "self": {"href": f"/rest/3/app-software/{app_software_id}/versions/{build}"}
            },
        }

    def get_version(self, app_software_id: str, build_number: int) -> dict[str, Any]:
        self.calls.append(("get-version", str(build_number), self.clock.monotonic()))
        for version in self.versions:
            if version.get("buildNumber") == build_number:
                return dict(version)
        raise ApiError("Not Found", status=404)

    def publish_listing(
        self, app_software_id: str, build_number: int, body: dict[str, Any]
    ) -> dict[str, Any]:
        self.calls.append(("listing", f"{app_software_id}/{build_number}", self.clock.monotonic()))
        if self.fail_listing is not None:
            raise self.fail_listing
        self.listings.append((app_software_id, build_number, body))
        answer = self.listing_answer or {
            "state": body.get("state"),
            "approvalStatus": "APPROVED",
            "revision": 1,
        }
        self.stored_listings[build_number] = {**body, **answer}
        return answer

    def get_listing(self, app_software_id: str, build_number: int) -> dict[str, Any]:
        self.calls.append(
            ("get-listing", f"{app_software_id}/{build_number}", self.clock.monotonic())
        )
        if build_number not in self.stored_listings:
            raise ApiError("no listing", status=404)
        return self.stored_listings[build_number]

    # app listing and parent software (issue 13): plain data, 404 for the unknown

    def list_developer_apps(self, developer_id: str) -> list[dict[str, Any]]:
        self.calls.append(("developer-space", developer_id, self.clock.monotonic()))
        return [dict(a) for a in self.developer_apps]

    def get_app_listing(self, product_id: str) -> dict[str, Any]:
        self.calls.append(("get-app-listing", product_id, self.clock.monotonic()))
        if product_id not in self.app_listings:
            raise ApiError("no such app listing", status=404)
        return copy.deepcopy(self.app_listings[product_id])

    def put_app_listing(self, product_id: str, body: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(("put-app-listing", product_id, self.clock.monotonic()))
        self.put_bodies.append((product_id, copy.deepcopy(body)))
        stored = copy.deepcopy(body)
        stored["revision"] = int(body.get("revision") or 0) + 1
        self.app_listings[product_id] = stored
        return copy.deepcopy(stored)

    def get_parent_software_version(self, product: str, version_number: str) -> dict[str, Any]:
        self.calls.append(("parent-version", f"{product}/{version_number}", self.clock.monotonic()))
        for number, build in self.parent_versions.get(product, []):
            if number == version_number:
                return {"versionNumber": number, "buildNumber": build}
        raise ApiError("no such product version", status=404)

    def list_parent_software_versions(
        self, product: str, *, limit: int = 50
    ) -> list[dict[str, Any]]:
        self.calls.append(("parent-versions", product, self.clock.monotonic()))
        if product not in self.parent_versions:
            raise ApiError("no such product", status=404)
        return [
            {"versionNumber": n, "buildNumber": b} for n, b in self.parent_versions[product][:limit]
        ]

    def list_parent_software(self) -> list[dict[str, Any]]:
        return [{"id": p} for p in self.parent_versions]


def make_plan(
    tmp_path: Path,
    *,
    files: int = 1,
    url: bool = False,
    images: int = 0,
    expect: dict[str, Any] | None = None,
    spacing: float = 10.0,
    poll_timeout: float = 60.0,
    sha512: str | None = None,
    release: VersionSpec | None = None,
) -> Plan:
    artifacts: list[LocalArtifact] = []
    for i in range(files):
        path = tmp_path / f"hello-{i}.jar"
        path.write_bytes(b"PK\x03\x04 jar bytes %d" % i)
        spec = ArtifactSpec(name=f"jar{i}", file=path.name, url=None, expect=expect or {})
        artifacts.append(
            LocalArtifact(
                spec=spec,
                path=path,
                size=path.stat().st_size,
                kind="jar",
                descriptor=Descriptor(KEY, VERSION, "Hello", "atlassian-plugin.xml"),
            )
        )
    if url:
        spec = ArtifactSpec(
            name="remote", file=None, url="https://example.com/h.obr", sha512=sha512
        )
        artifacts.append(LocalArtifact(spec=spec))
    local_images = []
    for i in range(images):
        path = tmp_path / f"shot{i}.png"
        path.write_bytes(b"\x89PNG fake")
        local_images.append(
            LocalImage(
                spec=ImageSpec(type="screenshot", file="shot*.png"),
                path=path,
                size=9,
                format="png",
                width=10,
                height=10,
            )
        )
    config = ReleaseConfig(
        path=tmp_path / "release.yml",
        base_dir=tmp_path,
        app_key=KEY,
        version=VERSION,
        artifacts=tuple(a.spec for a in artifacts),
        images=tuple(i.spec for i in local_images),
        poll_timeout=poll_timeout,
        poll_interval=2.0,
        upload_spacing=spacing,
        release=release,
    )
    return Plan(config=config, artifacts=tuple(artifacts), images=tuple(local_images))


def publish_run(
    plan: Plan, api: FakeApi, clock: FakeClock, *, previous: PreviousRun | None = None
) -> tuple[ReleaseResult, list[dict[str, Any]], BaseException | None]:
    """``release.publish`` of ``plan``: the result, every checkpointed JSON, the error."""
    result = new_result(plan)
    saved: list[dict[str, Any]] = []
    try:
        flow.publish(
            plan,
            result,
            api=api,
            clock=clock,
            phases=FakePhases(),
            save=lambda r: saved.append(r.to_dict()),
            previous=previous,
            executor=SerialExecutor(),
        )
    except Exception as exc:  # noqa: BLE001 - the test inspects any failure
        return result, saved, exc
    return result, saved, None


#: the base URL of the in-process CLI tests' configs (requests-mock answers it)
CLI_BASE = "https://mp.example.test/marketplace"


def cli_workspace(root: Path, *, icon: bool = False) -> Path:
    """A checked-out app for the in-process CLI tests: ``marketplace-release.yml``
    (app com.example.hello 1.4.2, artifact ``server`` = ``target/hello-1.4.2.jar``,
    base URL :data:`CLI_BASE`, polling 30 s / 1 s) and the plugin JAR; with ``icon``
    also ``icon.png`` as an ``icon`` image. Returns ``root``."""
    build_plugin_jar(root / "target" / "hello-1.4.2.jar", "com.example.hello", "1.4.2")
    images = ""
    if icon:
        write_png(root / "icon.png")
        images = "images:\n  - {type: icon, file: icon.png}\n"
    (root / "marketplace-release.yml").write_text(
        "format: 1\n"
        'app: {key: com.example.hello, version: "1.4.2"}\n'
        "artifacts:\n  - name: server\n    file: target/hello-1.4.2.jar\n"
        + images
        + f"marketplace: {{base-url: {CLI_BASE}}}\n"
        "polling: {timeout: 30, interval: 1}\n",
        encoding="utf-8",
    )
    return root
