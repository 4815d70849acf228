"""Config values that cannot be right are refused through the CLI (a subprocess)
before any request: exit 2 naming the field and file:line, and the emulator's request
log stays empty."""

from __future__ import annotations

import pytest

from release_publisher.sandbox.server import SandboxServer

from .conftest import Workspace, config_text
from .helpers import request_log_is_empty

pytestmark = pytest.mark.integration


# ------------------------------------------------------------------ config and files


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "",
        "ftp://host/x.jar",
        "file:///tmp/x.jar",
        "https://user:pass@host/x.jar",
        "https://[bad/x.jar",  # passes the schema's pattern; only format checking refuses it
    ],
)
def test_bad_artifact_url_is_refused_before_any_request(
    workspace: Workspace, sandbox: SandboxServer, url: str
) -> None:
    workspace.config(config_text(sandbox.base_url, artifacts=f"  - name: dc\n    url: '{url}'\n"))
    run = workspace.run("publish")
    assert run.code == 2, run.output
    assert "ConfigError" in run.stderr
    assert "marketplace-release.yml:5:" in run.stderr  # file:line of the url
    assert "artifacts[0].url" in run.stderr
    assert "user:pass" not in run.output
    assert request_log_is_empty(sandbox)
