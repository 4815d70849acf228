"""The action's entry path as GitHub runs it: action.yml (composite) -> the Docker
action that release_publisher/action_image.py writes -> its image. The locally built
image stands in for the published one under the exact name the generated manifest
gives for a release tag."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from release_publisher.action_image import PUBLISHER, write_manifest
from tests.unit.hosts.runner_files import parse_github_output

from .conftest import TOKEN, USER, DockerRunner, _docker
from .test_image import GitHubJob, assert_no_secret

pytestmark = pytest.mark.container

REPO = Path(__file__).resolve().parents[2]
ACTION: dict[str, Any] = yaml.safe_load((REPO / "action.yml").read_text())
EXPRESSION = re.compile(r"\$\{\{ (inputs|steps\.run\.outputs)\.([a-z-]+) \}\}")


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The Docker action the composite's first step writes for `uses: ...@v1.4.2`."""
    out = tmp_path_factory.mktemp("generated")
    write_manifest(out, ref="v1.4.2", repository=PUBLISHER, action_path=REPO)
    loaded: dict[str, Any] = yaml.safe_load((out / "action.yml").read_text())
    return loaded


@pytest.fixture(scope="module")
def published(image: str, manifest: dict[str, Any]) -> Iterator[DockerRunner]:
    """Runs the manifest's image: the test image tagged with the published name (never
    pushed; the tag is removed afterwards)."""
    name = manifest["runs"]["image"].removeprefix("docker://")
    assert name == "ghcr.io/example-org/release-publisher:v1.4.2"
    tagged = _docker("tag", image, name)
    assert tagged.code == 0, tagged.output
    try:
        yield DockerRunner(name)
    finally:
        _docker("rmi", name)


def runner_inputs(manifest: Mapping[str, Any], given: Mapping[str, str]) -> dict[str, str]:
    """The INPUT_* variables the runner gives the generated Docker action for a step
    `uses: example-org/release-publisher@v1.4.2` with `with: given`: composite inputs
    (given, else action.yml's default) passed through the run step's `with:`, then
    every input the generated manifest declares (passed, else its default)."""
    composite = {n: given.get(n, spec.get("default", "")) for n, spec in ACTION["inputs"].items()}
    (step,) = [s for s in ACTION["runs"]["steps"] if s.get("id") == "run"]
    passed = {}
    for name, value in step["with"].items():
        match = EXPRESSION.fullmatch(value)
        assert match and match[1] == "inputs", value
        passed[name] = composite[match[2]]
    return {
        f"INPUT_{name.upper()}": passed.get(name, spec["default"])
        for name, spec in manifest["inputs"].items()
    }


def composite_outputs(step_outputs: Mapping[str, str]) -> dict[str, str]:
    """action.yml's outputs as the runner evaluates them from the run step's."""
    values = {}
    for name, spec in ACTION["outputs"].items():
        match = EXPRESSION.fullmatch(spec["value"])
        assert match and match[1] == "steps.run.outputs", spec["value"]
        values[name] = step_outputs.get(match[2], "")
    return values


def run_action(
    job: GitHubJob,
    runner: DockerRunner,
    manifest: Mapping[str, Any],
    given: Mapping[str, str],
    extra_env: Mapping[str, str] | None = None,
) -> tuple[int, dict[str, str], str]:
    """One step of the job through the generated manifest; (exit code, the
    composite's outputs, stdout)."""
    inputs = runner_inputs(manifest, {"user": USER, "token": TOKEN, **given})
    secret_user, secret_token = inputs.pop("INPUT_USER"), inputs.pop("INPUT_TOKEN")
    assert (secret_user, secret_token) == (USER, TOKEN)
    job.output.write_text("")
    run = job.run(runner, {**inputs, **(extra_env or {})})
    outputs = composite_outputs(parse_github_output(job.output.read_text()))
    return run.code, outputs, run.stdout + run.stderr


def test_release_tag_runs_the_published_image_with_every_input_and_output(
    published: DockerRunner, manifest: dict[str, Any], sandbox: str, tmp_path: Path
) -> None:
    job = GitHubJob(tmp_path)
    code, outputs, log = run_action(
        job, published, manifest, {"base-url": sandbox, "version": "v1.4.2"}
    )

    assert code == 0, log
    assert outputs["status"] == "published"
    assert all(outputs[name] for name in ("artifact-id", "checksums", "image-ids", "result-file"))
    assert json.loads(outputs["checksums"]) == {"server": job.checksum}
    assert outputs["result-file"] == str(job.runner_temp / "release-publisher-result.json")
    assert log.startswith("::add-mask::")
    unmasked = "\n".join(line for line in log.splitlines() if "::add-mask::" not in line)
    summary = job.summary.read_text()
    assert "PUBLISHED" in summary and outputs["artifact-id"] in summary
    assert_no_secret(unmasked, job.output.read_text(), summary)


def test_resume_from_the_result_file_output_reuses_the_upload(
    published: DockerRunner, manifest: dict[str, Any], sandbox: str, tmp_path: Path
) -> None:
    job = GitHubJob(tmp_path)
    first_code, first, log = run_action(job, published, manifest, {"base-url": sandbox})
    assert first_code == 0, log

    code, again, log = run_action(
        job, published, manifest, {"base-url": sandbox, "resume-from": first["result-file"]}
    )

    assert code == 0, log
    assert again["artifact-id"] == first["artifact-id"]
    result = json.loads(Path(again["result-file"]).read_text())
    assert result["artifacts"][0]["reused"] is True


def test_dry_run_input_reaches_the_container(
    published: DockerRunner, manifest: dict[str, Any], tmp_path: Path
) -> None:
    job = GitHubJob(tmp_path)
    code, outputs, log = run_action(job, published, manifest, {"dry-run": "true"})
    assert code == 0, log
    assert outputs["status"] == "dry-run"
