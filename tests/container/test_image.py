"""The built image, run as GitHub runs a Docker action and as GitLab runs a job image,
against the Marketplace emulator on loopback."""

from __future__ import annotations

import base64
import functools
import hashlib
import http.server
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

import pytest
import requests
import yaml

from release_publisher import __version__
from release_publisher.testing import build_plugin_jar, write_png
from tests.unit.hosts.runner_files import (
    parse_github_output,
    parse_gitlab_dotenv,
    parse_workflow_commands,
)

from .conftest import BASE_IMAGE, TOKEN, USER, DockerRunner, Run, _docker

pytestmark = pytest.mark.container

CONFIG = """\
format: 1
app: {key: com.example.hello, version: "1.4.2"}
artifacts: [{name: server, file: target/hello-*.jar}]
images: [{type: icon, file: icon.png}]
uploads: {spacing: 0}
"""
SECRETS = (
    TOKEN,
    base64.b64encode(f"{USER}:{TOKEN}".encode()).decode(),
    base64.urlsafe_b64encode(f"{USER}:{TOKEN}".encode()).decode(),
)
#: every output action.yml declares: each must be written, on success and on failure
OUTPUTS = set(yaml.safe_load((Path(__file__).parents[2] / "action.yml").read_text())["outputs"])
RELEASE = """\
release:
  artifact: server
  hosting: datacenter
  summary: Container release
  listing: {state: public, screenshots: icon}
"""


def seed_app(sandbox: str, seed: Mapping[str, object]) -> None:
    """Forget what earlier tests left in the shared emulator, then register the app."""
    requests.post(f"{sandbox}/_sandbox/reset", timeout=5).raise_for_status()
    requests.post(f"{sandbox}/_sandbox/apps", json=seed, timeout=5).raise_for_status()


def make_workspace(root: Path, config: str = CONFIG) -> tuple[Path, str]:
    """A checked-out app: release config, built plugin JAR, icon. Returns the
    workspace and the JAR's SHA-512."""
    root.mkdir(parents=True)
    (root / "marketplace-release.yml").write_text(config)
    jar = build_plugin_jar(root / "target" / "hello-1.4.2.jar")
    write_png(root / "icon.png", 144, 144)
    return root, hashlib.sha512(jar.read_bytes()).hexdigest()


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


class GitHubJob:
    """The directories a runner mounts into a Docker action, laid out like the runner:
    ``work/app/app`` (workspace), ``work/_temp`` (RUNNER_TEMP) with ``_github_home``
    and ``_runner_file_commands`` in it."""

    def __init__(self, tmp: Path, config: str = CONFIG) -> None:
        self.workspace, self.checksum = make_workspace(tmp / "work" / "app" / "app", config)
        self.runner_temp = tmp / "work" / "_temp"
        self.home = self.runner_temp / "_github_home"
        self.file_commands = self.runner_temp / "_runner_file_commands"
        for directory in (self.home, self.file_commands):
            directory.mkdir(parents=True)
        self.output = self.file_commands / "set_output_1"
        self.summary = self.file_commands / "step_summary_1"
        self.output.touch()
        self.summary.touch()

    def run(self, docker_run: DockerRunner, inputs: dict[str, str], token: str = TOKEN) -> Run:
        options = [
            "--workdir",
            "/github/workspace",
            "-v",
            f"{self.workspace}:/github/workspace",
            "-v",
            f"{self.runner_temp}:/github/runner_temp",
            "-v",
            f"{self.home}:/github/home",
            "-v",
            f"{self.file_commands}:/github/file_commands",
        ]
        env = {
            "GITHUB_ACTIONS": "true",
            "CI": "true",
            "GITHUB_WORKSPACE": "/github/workspace",
            "GITHUB_OUTPUT": f"/github/file_commands/{self.output.name}",
            "GITHUB_STEP_SUMMARY": f"/github/file_commands/{self.summary.name}",
            "RUNNER_TEMP": "/github/runner_temp",
            "RUNNER_WORKSPACE": str(self.workspace.parent),
            # every declared input arrives, empty or defaulted
            "INPUT_CONFIG": "marketplace-release.yml",
            "INPUT_VERSION": "",
            "INPUT_BASE-URL": "",
            "INPUT_DRY-RUN": "false",
            "INPUT_WORKING-DIRECTORY": ".",
            "INPUT_POLL-TIMEOUT": "",
            "INPUT_CA-BUNDLE": "",
            "INPUT_RESUME-FROM": "",
            # the step's own PATH and HOME leak in: the image must not need them
            "PATH": "utter-nonsense",
            "HOME": "/nonexistent",
            **inputs,
        }
        return docker_run(
            options=options, env=env, secret_env={"INPUT_USER": USER, "INPUT_TOKEN": token}
        )


def test_github_docker_action_publishes_and_writes_every_output(
    docker_run: DockerRunner, sandbox: str, tmp_path: Path
) -> None:
    job = GitHubJob(tmp_path)
    before = tree(job.workspace)

    run = job.run(docker_run, {"INPUT_BASE-URL": sandbox, "INPUT_VERSION": "v1.4.2"})

    assert run.code == 0, run.output
    outputs = parse_github_output(job.output.read_text())
    assert set(outputs) == OUTPUTS
    assert outputs["status"] == "published"
    artifact_id = outputs["artifact-id"]
    assert artifact_id
    assert json.loads(outputs["artifact-ids"]) == {"server": artifact_id}
    assert json.loads(outputs["checksums"]) == {"server": job.checksum}
    icon_ids = json.loads(outputs["image-ids"])["icon"]
    assert len(icon_ids) == 1 and icon_ids[0]
    # the result file is where a later step of the job can read it: the runner's temp
    assert outputs["result-file"] == str(job.runner_temp / "release-publisher-result.json")
    result = json.loads(Path(outputs["result-file"]).read_text())
    assert result["status"] == "published"
    assert result["artifacts"][0]["id"] == artifact_id
    summary = job.summary.read_text()
    assert "PUBLISHED" in summary and artifact_id in summary
    # masks come before anything else, and no secret shows anywhere else
    lines = run.stdout.splitlines()
    assert lines[0].startswith("::add-mask::")
    unmasked = "\n".join(line for line in lines if not line.startswith("::add-mask::"))
    assert_no_secret(unmasked, run.stderr, job.output.read_text(), summary)
    assert_no_secret(Path(outputs["result-file"]).read_text())
    assert tree(job.workspace) == before  # nothing written into the workspace


def test_github_failure_still_writes_outputs_and_explains(
    docker_run: DockerRunner, sandbox: str, tmp_path: Path
) -> None:
    job = GitHubJob(tmp_path)
    wrong = "ctr-wrong-token-5tR9pL"
    run = job.run(docker_run, {"INPUT_BASE-URL": sandbox}, token=wrong)

    assert run.code == 4, run.output
    outputs = parse_github_output(job.output.read_text())
    assert set(outputs) == OUTPUTS
    assert outputs["status"] == "failed"
    assert outputs["artifact-id"] == ""
    errors = [c for c in parse_workflow_commands(run.stdout) if c.name == "error"]
    assert len(errors) == 1
    assert "What went wrong" in job.summary.read_text()
    assert wrong not in run.output.replace(f"::add-mask::{wrong}", "")


def test_github_missing_token_input_is_a_clear_usage_error(
    docker_run: DockerRunner, tmp_path: Path
) -> None:
    job = GitHubJob(tmp_path)
    run = job.run(docker_run, {}, token="")
    assert run.code == 2
    assert "UsageError: the 'token' input is empty" in run.stderr
    assert "Traceback" not in run.output
    assert parse_github_output(job.output.read_text())["status"] == "failed"


def test_gitlab_job_runs_the_cli_from_the_shell(
    docker_run: DockerRunner, sandbox: str, tmp_path: Path
) -> None:
    project, checksum = make_workspace(tmp_path / "builds" / "app")
    run = docker_run(
        [
            "sh",
            "-c",
            "release-publisher publish --config marketplace-release.yml "
            f"--base-url {sandbox} --result-json release-publisher-result.json",
        ],
        options=["--entrypoint", "", "-v", f"{project}:/builds/app", "--workdir", "/builds/app"],
        env={"GITLAB_CI": "true", "CI": "true", "CI_PROJECT_DIR": "/builds/app"},
        secret_env={"MARKETPLACE_USER": USER, "MARKETPLACE_TOKEN": TOKEN},
    )

    assert run.code == 0, run.output
    report_bytes = (project / "release-publisher.env").read_bytes()
    report = parse_gitlab_dotenv(report_bytes)  # GitLab would accept it
    assert report["MARKETPLACE_STATUS"] == "published"
    assert report["MARKETPLACE_ARTIFACT_ID"] == report["MARKETPLACE_ARTIFACT_ID_SERVER"] != ""
    assert report["MARKETPLACE_CHECKSUM_SERVER"] == checksum
    assert report["MARKETPLACE_IMAGE_IDS_ICON"]
    assert report["MARKETPLACE_RESULT_FILE"] == "release-publisher-result.json"
    result = json.loads((project / "release-publisher-result.json").read_text())
    assert result["artifacts"][0]["id"] == report["MARKETPLACE_ARTIFACT_ID"]
    assert "section_start:" in run.stdout  # collapsible sections
    assert_no_secret(run.stdout, run.stderr, report_bytes.decode())


def test_arguments_go_to_the_cli_with_a_hostile_environment(
    docker_run: DockerRunner, tmp_path: Path
) -> None:
    run = docker_run(["--version"], env={"PATH": "utter-nonsense", "HOME": "/nonexistent"})
    assert run.code == 0, run.output
    assert __version__ in run.stdout

    workspace, _ = make_workspace(tmp_path / "ws")
    check = docker_run(
        ["check", "--config", "marketplace-release.yml"],
        options=["-v", f"{workspace}:/work", "--workdir", "/work"],
        env={"PATH": "utter-nonsense", "INPUT_DRY-RUN": "garbage"},  # inputs are ignored
    )
    assert check.code == 0, check.output


def test_image_adds_at_most_15_mb_to_its_base(image: str) -> None:
    sizes = [
        int(_docker("image", "inspect", "-f", "{{.Size}}", name).stdout.strip())
        for name in (image, BASE_IMAGE)
    ]
    assert sizes[0] - sizes[1] <= 15_000_000


def test_github_action_creates_the_app_version(
    docker_run: DockerRunner, sandbox: str, tmp_path: Path
) -> None:
    """With a release section, the action turns the artifact into an app version and
    publishes its listing; the version outputs are set."""
    seed = {
        "appKey": "com.example.hello",
        "hostings": ["datacenter"],
        "versions": {
            "datacenter": [
                {
                    "buildNumber": 7,
                    "versionNumber": "1.4.1",
                    "compatibilities": [
                        {"parentSoftwareId": "jira", "minBuildNumber": 1, "maxBuildNumber": 9}
                    ],
                    "supportedPaymentModel": "free",
                }
            ]
        },
    }
    seed_app(sandbox, seed)
    job = GitHubJob(tmp_path, CONFIG + RELEASE)

    run = job.run(docker_run, {"INPUT_BASE-URL": sandbox})

    assert run.code == 0, run.output
    outputs = parse_github_output(job.output.read_text())
    assert set(outputs) == OUTPUTS
    assert outputs["version-build-number"] == "8"
    assert outputs["version-url"].startswith(sandbox)
    assert outputs["version-state"]
    summary = job.summary.read_text()
    assert "App version" in summary and "created" in summary
    result = json.loads(Path(outputs["result-file"]).read_text())
    assert result["release"]["listing"]["state"] == "PUBLIC"


def test_the_example_release_through_the_action(
    docker_run: DockerRunner, sandbox: str, tmp_path: Path
) -> None:
    """examples/release.yml, as the action runs it: the sample app's JAR uploaded, its
    OBR fetched from a release URL, images uploaded, version 1.4.2 created from an
    earlier 1.4.1 and its listing published."""
    repo = Path(__file__).parents[2]
    job = GitHubJob(tmp_path)
    shutil.rmtree(job.workspace)
    shutil.copytree(repo / "examples", job.workspace, ignore=shutil.ignore_patterns("target"))
    subprocess.run(
        [sys.executable, str(job.workspace / "hello-app" / "build.py"), "--obr"],
        check=True,
        capture_output=True,
    )
    target = job.workspace / "hello-app" / "target"
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(target))
    files = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=files.serve_forever, daemon=True).start()
    seed = {
        "appKey": "com.example.hello",
        "hostings": ["datacenter"],
        "versions": {
            "datacenter": [
                {
                    "buildNumber": 1004001,
                    "versionNumber": "1.4.1",
                    "compatibilities": [
                        {"parentSoftwareId": "jira", "minBuildNumber": 1, "maxBuildNumber": 9}
                    ],
                    "supportedPaymentModel": "free",
                }
            ]
        },
    }
    seed_app(sandbox, seed)
    # the example's app-listing section: the app's listing in the developer space
    requests.post(
        f"{sandbox}/_sandbox/product-listings",
        json={
            "developerId": "0b5c1e2a-7f3d-4e55-9a0b-3c2d1e0f4a5b",
            "appKey": "com.example.hello",
            "appName": "Hello",
        },
        timeout=5,
    ).raise_for_status()
    try:
        run = job.run(
            docker_run,
            {
                "INPUT_CONFIG": "release.yml",
                "INPUT_BASE-URL": sandbox,
                "INPUT_VERSION": "v1.4.2",
                "HELLO_OBR_URL": f"http://127.0.0.1:{files.server_address[1]}/hello-1.4.2.obr",
            },
        )
    finally:
        files.shutdown()
    assert run.code == 0, run.output
    outputs = parse_github_output(job.output.read_text())
    assert outputs["status"] == "published"
    assert set(json.loads(outputs["artifact-ids"])) == {"server", "datacenter"}
    assert len(json.loads(outputs["image-ids"])["screenshot"]) == 2
    assert outputs["version-build-number"] == "1004002"
    result = json.loads(Path(outputs["result-file"]).read_text())
    assert result["release"]["status"] == "created"
    assert result["release"]["copiedFrom"]["versionNumber"] == "1.4.1"
    assert result["release"]["listing"]["state"] == "PUBLIC"
    # issue 13 through the action: the icon set on the app listing, the compatibility
    # resolved from product versions
    assert outputs["app-listing-updated"] == "true"
    assert result["appListing"]["changes"]["images.iconFileId"]["new"]
    assert result["release"]["compatibility"][0]["min"]["build"]
