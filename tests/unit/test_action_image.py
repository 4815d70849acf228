"""The composite action's trampoline: which image a pinned ref runs, and that the
generated Docker action takes the same inputs and gives the same outputs as
action.yml."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from release_publisher import action_image
from release_publisher.action_image import PUBLISHER, choose_image, published_image, write_manifest

REPO = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((REPO / "action.yml").read_text())
GENERATED = ".github/.tmp/.generated-actions/release-publisher"


@pytest.mark.parametrize(
    ("ref", "repository", "image"),
    [
        ("v1", PUBLISHER, "ghcr.io/example-org/release-publisher:v1"),
        ("v1.4", PUBLISHER, "ghcr.io/example-org/release-publisher:v1.4"),
        ("v1.4.2", PUBLISHER, "ghcr.io/example-org/release-publisher:v1.4.2"),
        ("v2.0.0-rc.1", PUBLISHER, "ghcr.io/example-org/release-publisher:v2.0.0-rc.1"),
        ("v1.4.2", PUBLISHER.upper(), "ghcr.io/example-org/release-publisher:v1.4.2"),
        ("main", PUBLISHER, None),  # a branch
        ("releases/v1", PUBLISHER, None),
        ("8f2c1e0d9b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d", PUBLISHER, None),  # a commit SHA
        ("1.4.2", PUBLISHER, None),  # no git tag of that name is published
        ("v1.4.2.1", PUBLISHER, None),
        ("v01", PUBLISHER, None),
        ("", PUBLISHER, None),  # a local `uses: ./`
        ("", "", None),
        ("v1.4.2", "someone/release-publisher", None),  # a fork
    ],
)
def test_published_image_for_a_pinned_ref(ref: str, repository: str, image: str | None) -> None:
    assert published_image(ref, repository) == image


def test_any_other_ref_builds_the_dockerfile_of_the_action_checkout(tmp_path: Path) -> None:
    assert choose_image("main", PUBLISHER, tmp_path) == str(tmp_path.resolve() / "Dockerfile")
    assert choose_image("v1", PUBLISHER, tmp_path) == (
        "docker://ghcr.io/example-org/release-publisher:v1"
    )


def test_generated_manifest_declares_action_yml_inputs_and_outputs(tmp_path: Path) -> None:
    image = write_manifest(tmp_path / "out", ref="v1.4.2", repository=PUBLISHER, action_path=REPO)
    manifest = yaml.safe_load((tmp_path / "out" / "action.yml").read_text())
    assert manifest["runs"] == {"using": "docker", "image": image}
    inputs = {name: spec["default"] for name, spec in ACTION["inputs"].items()}
    assert {name: spec["default"] for name, spec in manifest["inputs"].items()} == inputs
    assert list(manifest["inputs"]) == [name for name, _ in action_image.INPUTS]
    assert set(manifest["outputs"]) == set(ACTION["outputs"])
    assert not [spec for spec in manifest["inputs"].values() if spec["required"]]


def _steps() -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = ACTION["runs"]["steps"]
    return steps


def test_composite_passes_every_input_and_output_through() -> None:
    assert ACTION["runs"]["using"] == "composite"
    (run,) = [step for step in _steps() if step.get("id") == "run"]
    assert run["uses"] == f"./{GENERATED}"
    assert run["with"] == {name: f"${{{{ inputs.{name} }}}}" for name in ACTION["inputs"]}
    assert {name: spec["value"] for name, spec in ACTION["outputs"].items()} == {
        name: f"${{{{ steps.run.outputs.{name} }}}}" for name in ACTION["outputs"]
    }
    write, _, cleanup = _steps()
    assert f'--out "$GITHUB_WORKSPACE/{GENERATED}"' in write["run"]
    assert write["env"]["RP_ACTION_REF"] == "${{ github.action_ref }}"
    assert (
        cleanup["if"] == "always()"
        and f'rm -rf "$GITHUB_WORKSPACE/{GENERATED}"' in (cleanup["run"])
    )


def test_cli_writes_the_manifest_and_prints_the_image(tmp_path: Path) -> None:
    assert action_image.main(["image", "--ref", "v1", "--repository", PUBLISHER]) == 0
    write = ["write", "--ref", "main", "--repository", PUBLISHER, "--action-path", str(REPO)]
    code = action_image.main([*write, "--out", str(tmp_path)])
    assert code == 0
    assert yaml.safe_load((tmp_path / "action.yml").read_text())["runs"]["image"] == str(
        REPO / "Dockerfile"
    )
    blocked = tmp_path / "file"
    blocked.write_text("")
    bad = ["write", "--action-path", str(REPO), "--out", str(blocked / "x")]
    assert action_image.main(bad) == 2


def test_image_workflow_pushes_the_name_the_action_computes() -> None:
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "image.yml").read_text())
    assert workflow[True]["push"]["tags"] == ["v*"]  # PyYAML reads `on` as True
    steps = workflow["jobs"]["image"]["steps"]
    (name,) = [step for step in steps if step.get("id") == "name"]
    assert 'python3 -I release_publisher/action_image.py image --ref "$TAG"' in name["run"]
    assert name["env"]["TAG"] == "${{ github.ref_name }}"
    (push,) = [step for step in steps if step.get("id") == "push"]
    assert push["with"]["tags"] == "${{ steps.name.outputs.tags }}"


def test_ci_generated_manifests_lists_a_tag_and_a_branch_manifest() -> None:
    listed = subprocess.run(
        [str(REPO / ".ci" / "generated-manifests")],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.split()
    images = [yaml.safe_load(Path(path).read_text())["runs"]["image"] for path in listed]
    assert images == [
        "docker://ghcr.io/example-org/release-publisher:v1.4.2",
        str(REPO / "Dockerfile"),
    ]
