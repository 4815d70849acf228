"""Hostile config values and local files of issues 15 and 16 through the CLI (a
subprocess) against the emulator: each stops the run before any request, with its exit
code and file:line, and the emulator's request log stays empty."""

from __future__ import annotations

import os

import pytest

from release_publisher.sandbox.server import SandboxServer
from release_publisher.testing import write_png

from .conftest import Workspace, config_text
from .helpers import request_log_is_empty

pytestmark = pytest.mark.integration


def test_nan_polling_timeout_is_exit_2_before_any_request(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    workspace.config(config_text(sandbox.base_url).replace("timeout: 30", "timeout: .nan"))
    run = workspace.run("publish")
    assert run.code == 2, run.output
    assert "marketplace-release.yml:7:20 (polling.timeout)" in run.stderr
    assert "finite number" in run.stderr
    assert "Traceback" not in run.output
    assert request_log_is_empty(sandbox)


def test_deep_nesting_and_huge_numbers_are_exit_2(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    text = config_text(sandbox.base_url)
    workspace.config(text + "images: " + "[" * 50_000 + "]" * 50_000 + "\n")
    run = workspace.run("check")
    assert run.code == 2, run.output
    assert "nested too deeply" in run.stderr and "marketplace-release.yml:" in run.stderr
    workspace.config(text.replace("timeout: 30", "timeout: " + "9" * 5000))
    run = workspace.run("check")
    assert run.code == 2, run.output
    assert "(polling.timeout)" in run.stderr
    assert "Traceback" not in run.output


def test_config_naming_a_fifo_is_refused_at_once(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    fifo = workspace.root / "pipe.yml"
    os.mkfifo(fifo)
    run = workspace.run("publish", "--config", str(fifo), timeout=60)
    assert run.code == 2, run.output
    assert "FIFO" in run.stderr
    assert request_log_is_empty(sandbox)


def test_an_image_over_the_image_limit_stops_before_the_artifact_upload(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    big = write_png(workspace.root / "marketing" / "big.png", 200, 200)
    with big.open("r+b") as fh:
        fh.truncate(30 * 1024 * 1024)  # sparse: 30 MiB to stat(), cheap on disk
    workspace.config(
        config_text(sandbox.base_url, images="  - {type: screenshot, file: marketing/big.png}\n")
    )
    run = workspace.run("publish")
    assert run.code == 3, run.output
    assert "a listing image may be at most" in run.stderr
    assert "250 MB" not in run.stderr
    assert request_log_is_empty(sandbox)  # the artifact was not uploaded first


def test_a_banner_one_pixel_short_stops_before_any_upload(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    write_png(workspace.root / "marketing" / "banner.png", 1120, 547)
    images = "  - {type: banner, file: marketing/banner.png}\n"
    workspace.config(config_text(sandbox.base_url, images=images))
    run = workspace.run("publish")
    assert run.code == 3, run.output
    assert "expected 1120x548 pixels for image type 'banner'" in run.stderr
    assert "got 1120x547" in run.stderr
    assert request_log_is_empty(sandbox)


def test_base_url_with_a_query_is_refused_at_its_line(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    workspace.config(config_text(f'"{sandbox.base_url}/?tenant=x"'))
    run = workspace.run("publish")
    assert run.code == 2, run.output
    assert "(marketplace.base-url)" in run.stderr and "marketplace-release.yml:" in run.stderr
    assert "query or fragment" in run.stderr
    assert "tenant=x" not in run.stderr
    assert request_log_is_empty(sandbox)


def test_paid_via_atlassian_for_two_host_products_fails_check(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    workspace.config(
        config_text(sandbox.base_url) + "release:\n  artifact: server\n  hosting: datacenter\n"
        "  payment-model: paid-via-atlassian\n  compatibility:\n"
        "    - {parent-software-id: jira, min-build: 1, max-build: 2}\n"
        "    - {parent-software-id: confluence, min-build: 1, max-build: 2}\n"
    )
    run = workspace.run("check")
    assert run.code == 2, run.output
    assert "jira, confluence" in run.stderr
    assert "(release.payment-model)" in run.stderr
    assert request_log_is_empty(sandbox)
