"""The whole pipeline over real HTTP: the CLI as a subprocess against the emulator."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from release_publisher.sandbox.server import SandboxServer, start_sandbox
from release_publisher.testing import build_connect_descriptor, build_plugin_jar
from tests.hostile import SECRET

from .conftest import TOKEN, USER, Workspace, config_text, obr_for
from .helpers import api_requests, clean_env, inject, request_log, run_cli

pytestmark = pytest.mark.integration

IMAGES = (
    "  - {type: icon, file: marketing/icon.png}\n"
    "  - {type: screenshot, file: 'marketing/shots/*.png'}\n"
)


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A plain HTTP server on loopback serving ``tmp_path/project/dist`` (a release URL)."""
    root = tmp_path / "project" / "dist"
    root.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()


def test_upload_poll_verify_and_images(workspace: Workspace, tmp_path: Path) -> None:
    with start_sandbox(
        data_dir=tmp_path / "data", user=USER, token=TOKEN, processing_delay=1.0
    ) as server:
        workspace.config(config_text(server.base_url, images=IMAGES))
        run = workspace.run("publish")
    assert run.code == 0, run.output
    assert run.result is not None
    assert run.result["status"] == "published"
    (art,) = run.result["artifacts"]
    jar = workspace.root / "target" / "hello-1.4.2.jar"
    assert art["state"] == "verified"
    assert art["checksum"] == hashlib.sha512(jar.read_bytes()).hexdigest()
    assert art["key"] == "com.example.hello" and art["version"] == "1.4.2"
    assert art["id"] and art["id"] in run.stdout
    assert [i["type"] for i in run.result["images"]] == ["icon", "screenshot", "screenshot"]
    # screenshots uploaded in sorted order
    assert [i["file"] for i in run.result["images"]][1:] == [
        "marketing/shots/a.png",
        "marketing/shots/b.png",
    ]
    assert all(i["id"] for i in run.result["images"])
    assert "Waiting for Marketplace to process" in run.stdout  # it had to poll
    assert TOKEN not in run.output


def test_fetch_from_release_url(
    workspace: Workspace, sandbox: SandboxServer, file_server: tuple[str, Path]
) -> None:
    url, _root = file_server
    obr = obr_for(workspace.root)
    artifacts = (
        f"  - name: dc\n    url: {url}/{obr.name}\n"
        f"    sha512: {hashlib.sha512(obr.read_bytes()).hexdigest()}\n"
        "    expect: {name: Hello}\n"
    )
    workspace.config(config_text(sandbox.base_url, artifacts=artifacts))
    run = workspace.run("publish")
    assert run.code == 0, run.output
    assert run.result is not None
    (art,) = run.result["artifacts"]
    assert art["source"] == "url" and art["state"] == "verified"
    assert set(art["verified"]) == {"key", "version", "checksum", "name"}


def test_connect_descriptor_checks_key_only(workspace: Workspace, sandbox: SandboxServer) -> None:
    build_connect_descriptor(
        workspace.root / "connect" / "atlassian-connect.json", "com.example.hello"
    )
    artifacts = "  - name: cloud\n    file: connect/atlassian-connect.json\n"
    workspace.config(config_text(sandbox.base_url, artifacts=artifacts))
    run = workspace.run("publish")
    assert run.code == 0, run.output
    assert run.result is not None
    assert set(run.result["artifacts"][0]["verified"]) == {"key", "checksum"}


@pytest.mark.parametrize(
    ("built_key", "built_version", "words"),
    [
        ("com.example.hello", "1.4.1", ["1.4.1", "1.4.2"]),
        ("com.example.Hello", "1.4.2", ["com.example.Hello", "com.example.hello"]),
    ],
)
def test_mismatch_reported_by_marketplace_exits_5(
    workspace: Workspace,
    sandbox: SandboxServer,
    file_server: tuple[str, Path],
    built_key: str,
    built_version: str,
    words: list[str],
) -> None:
    """Pre-flight cannot see inside a fetched artifact: the mismatch is caught by
    verification, exit 5, and the uploaded artifact ID is still reported."""
    url, root = file_server
    jar = build_plugin_jar(root / "other.jar", built_key, built_version)
    artifacts = f"  - name: dc\n    url: {url}/{jar.name}\n"
    workspace.config(config_text(sandbox.base_url, artifacts=artifacts, images=IMAGES))
    run = workspace.run("publish")
    assert run.code == 5, run.output
    for word in words:
        assert word in run.stderr
    assert run.result is not None
    assert run.result["status"] == "failed"
    assert run.result["error"]["kind"] == "VerificationError"
    assert run.result["artifacts"][0]["id"]
    # the images go up while the artifact is processed: those that finished are kept
    sent = [r for r in request_log(sandbox) if "/assets/images/" in r["path"]]
    assert len([i for i in run.result["images"] if i["id"]]) == len(
        [r for r in sent if r["status"] == 200]
    )


def test_processing_timeout_exits_6_with_artifact_id(workspace: Workspace, tmp_path: Path) -> None:
    with start_sandbox(
        data_dir=tmp_path / "data", user=USER, token=TOKEN, processing_delay=60
    ) as server:
        workspace.config(config_text(server.base_url, timeout=2))
        run = workspace.run("publish")
    assert run.code == 6, run.output
    assert run.result is not None
    assert run.result["status"] == "processing-timeout"
    assert run.result["artifacts"][0]["id"]
    assert run.result["artifacts"][0]["id"] in run.stderr
    assert run.seconds < 30


def test_wrong_token_exits_4_with_hint(workspace: Workspace, sandbox: SandboxServer) -> None:
    workspace.config(config_text(sandbox.base_url))
    run = workspace.run("publish", env={"MARKETPLACE_TOKEN": "wrong-token-value"})
    assert run.code == 4, run.output
    assert "401" in run.stderr and "token" in run.stderr.lower()
    assert "wrong-token-value" not in run.output
    assert run.result is not None and run.result["error"]["kind"] == "ApiError"


def test_413_says_the_file_size(workspace: Workspace, sandbox: SandboxServer) -> None:
    inject(
        sandbox,
        endpoint="upload",
        status=413,
        headers={"Content-Type": "text/html"},
        body="<html><body><h1>413 Request Entity Too Large</h1><hr>nginx</body></html>",
    )
    workspace.config(config_text(sandbox.base_url))
    run = workspace.run("publish")
    assert run.code == 4, run.output
    assert "413" in run.stderr
    size = (workspace.root / "target" / "hello-1.4.2.jar").stat().st_size
    assert f"{size} bytes" in run.stderr or "KiB" in run.stderr


def test_429_retry_after_is_honoured(workspace: Workspace, sandbox: SandboxServer) -> None:
    inject(sandbox, endpoint="upload", status=429, headers={"Retry-After": "2"}, times=1)
    workspace.config(config_text(sandbox.base_url))
    run = workspace.run("publish")
    assert run.code == 0, run.output
    assert run.seconds >= 2.0
    uploads = [r for r in request_log(sandbox) if r["path"].endswith("/rest/3/artifacts")]
    assert len(uploads) == 2


def test_two_uploads_are_spaced(workspace: Workspace, tmp_path: Path) -> None:
    """The emulator enforces 1.5 s between uploads; the config asks for 2 s, so the
    CLI waits instead of being rate limited."""
    build_plugin_jar(workspace.root / "dc" / "hello-dc-1.4.2.jar", "com.example.hello", "1.4.2")
    artifacts = (
        "  - name: server\n    file: target/hello-1.4.2.jar\n"
        "  - name: dc\n    file: dc/hello-dc-1.4.2.jar\n"
    )
    with start_sandbox(
        data_dir=tmp_path / "data", user=USER, token=TOKEN, upload_spacing=1.5
    ) as server:
        workspace.config(config_text(server.base_url, artifacts=artifacts, spacing=2))
        run = workspace.run("publish")
        log = request_log(server)
    assert run.code == 0, run.output
    uploads = [r for r in log if r["path"].endswith("/rest/3/artifacts")]
    assert len(uploads) == 2  # no 429: the CLI waited
    assert "uploads.spacing" in run.stdout
    assert run.seconds >= 2.0


def test_check_sends_nothing(workspace: Workspace, sandbox: SandboxServer) -> None:
    workspace.config(config_text(sandbox.base_url, images=IMAGES))
    run = workspace.run("check")
    assert run.code == 0, run.output
    assert "POST /rest/3/artifacts" in run.stdout
    assert request_log(sandbox) == []


def test_dry_run_sends_nothing_and_writes_result(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    workspace.config(config_text(sandbox.base_url))
    run = workspace.run("publish", "--dry-run")
    assert run.code == 0, run.output
    assert run.result is not None and run.result["status"] == "dry-run"
    assert request_log(sandbox) == []


def test_resume_after_a_failed_image_upload(workspace: Workspace, sandbox: SandboxServer) -> None:
    """A run fails after its artifact was uploaded and verified; the next run with
    --resume re-checks that artifact and finishes without uploading it again."""
    inject(sandbox, endpoint="image", status=500, body={"message": "image store down"})
    workspace.config(config_text(sandbox.base_url, images=IMAGES))
    first = workspace.run("publish")
    assert first.code == 4, first.output
    assert first.result is not None
    assert first.result["artifacts"][0]["state"] == "verified"
    previous = workspace.root / "previous-result.json"
    previous.write_text(json.dumps(first.result))

    second = workspace.run("publish", "--resume", str(previous))
    assert second.code == 0, second.output
    assert second.result is not None
    art = second.result["artifacts"][0]
    assert art["id"] == first.result["artifacts"][0]["id"]
    assert art["reused"] is True and art["state"] == "verified"
    uploads = [r for r in request_log(sandbox) if r["path"].endswith("/rest/3/artifacts")]
    assert len(uploads) == 1  # only the first run's
    assert all(i["id"] for i in second.result["images"])


def test_resume_refuses_the_result_of_another_version(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    workspace.config(config_text(sandbox.base_url))
    first = workspace.run("publish")
    assert first.code == 0, first.output
    assert first.result is not None
    first.result["app"]["version"] = "1.4.1"  # the result of an older release
    previous = workspace.root / "previous-result.json"
    previous.write_text(json.dumps(first.result))
    run = workspace.run("publish", "--resume", str(previous))
    assert run.code == 2, run.output
    assert "1.4.1" in run.stderr and "1.4.2" in run.stderr
    assert len([r for r in request_log(sandbox) if r["path"].endswith("/rest/3/artifacts")]) == 1


def test_a_server_that_never_answers_ends_the_run_at_the_http_timeout(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    """The upload's body is read but the answer never comes: the run ends after
    --http-timeout, naming the endpoint, and does not upload twice."""
    inject(sandbox, endpoint="upload", delay=60, status=200, times=1)
    workspace.config(config_text(sandbox.base_url))
    run = workspace.run("publish", "--http-timeout", "1")
    assert run.code == 4, run.output
    assert "POST /rest/3/artifacts" in run.stderr and "timeout" in run.stderr
    assert run.seconds < 15
    uploads = [r for r in request_log(sandbox) if r["path"].endswith("/rest/3/artifacts")]
    assert len(uploads) == 1


def test_result_json_in_a_new_directory_is_created(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    workspace.config(config_text(sandbox.base_url))
    run = workspace.run("publish", "--result-json", "out/nested/result.json")
    assert run.code == 0, run.output
    written = json.loads((workspace.root / "out" / "nested" / "result.json").read_text())
    assert written["status"] == "published" and written["artifacts"][0]["id"]


def test_result_json_that_cannot_be_written_stops_before_any_request(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    (workspace.root / "a-directory").mkdir()
    workspace.config(config_text(sandbox.base_url))
    run = workspace.run("publish", "--result-json", "a-directory")
    assert run.code == 2, run.output
    assert "cannot write the result file" in run.stderr and "a-directory" in run.stderr
    assert request_log(sandbox) == []


def test_paths_given_on_the_command_line_follow_the_start_directory(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    """--result-json is relative to where the tool was started; the config and its
    artifact paths to --working-directory."""
    project = workspace.root / "plugin"
    project.mkdir()
    (workspace.root / "target").rename(project / "target")
    (project / "marketplace-release.yml").write_text(config_text(sandbox.base_url))
    run = workspace.run("publish", "-C", "plugin", "--result-json", "out.json")
    assert run.code == 0, run.output
    assert (workspace.root / "out.json").is_file()
    assert not (project / "out.json").exists()


def test_snapshot_reported_by_marketplace_exits_5_with_both_values(
    workspace: Workspace, tmp_path: Path
) -> None:
    """The emulator answers the upload with details of a ``1.4.2-SNAPSHOT`` build
    (what Marketplace read from it): verification fails, exit 5. (The upload, not a
    poll: a poll answered with another artifact's ID fails on that first.)"""
    jar = workspace.root / "target" / "hello-1.4.2.jar"
    sha = hashlib.sha512(jar.read_bytes()).hexdigest()
    with start_sandbox(
        data_dir=tmp_path / "data", user=USER, token=SECRET, processing_delay=600
    ) as server:
        details = {"key": "com.example.hello", "version": "1.4.2-SNAPSHOT"}
        body = {
            "fileInfo": {"checksum": f"sha512:{sha}"},
            "details": details,
            "_links": {"self": {"href": "/rest/3/artifacts/reported-1"}},
        }
        inject(server, {"endpoint": "upload", "status": 201, "body": body})
        images = "  - {type: icon, file: marketing/icon.png}\n"
        workspace.config(config_text(server.base_url, images=images))
        env = clean_env({"MARKETPLACE_USER": USER, "MARKETPLACE_TOKEN": SECRET})
        result_file = workspace.root / "result.json"
        run = run_cli(
            workspace.root, "publish", "--result-json", str(result_file), env=env,
            result_file=result_file,
        )  # fmt: skip
        log = api_requests(server)
    assert run.code == 5, run.output
    assert "version: expected '1.4.2', Marketplace reports '1.4.2-SNAPSHOT'" in run.stderr
    # the icon goes up while the artifact is processed: when it finished, it is kept
    icon = [r for r in log if r["endpoint"] == "image"]
    assert run.result is not None
    assert (run.result["images"][0]["id"] is not None) == any(r["status"] == 200 for r in icon)
    assert run.result["artifacts"][0]["id"]


def test_local_snapshot_build_is_refused_before_upload(
    workspace: Workspace, tmp_path: Path
) -> None:
    """A local JAR whose descriptor says ``1.4.2-SNAPSHOT`` never reaches Marketplace:
    pre-flight refuses it (exit 3) with both values."""
    build_plugin_jar(workspace.root / "target" / "hello-1.4.2.jar", version="1.4.2-SNAPSHOT")
    with start_sandbox(data_dir=tmp_path / "data", user=USER, token=SECRET) as server:
        workspace.config(config_text(server.base_url))
        env = clean_env({"MARKETPLACE_USER": USER, "MARKETPLACE_TOKEN": SECRET})
        run = run_cli(workspace.root, "publish", env=env)
        log = api_requests(server)
    assert run.code == 3, run.output
    assert "1.4.2-SNAPSHOT" in run.stderr and "1.4.2" in run.stderr
    assert log == []
