"""Issue 15, item 8, integration side: the emulator answers the upload with an error
body reflecting the token in every form a server could (URL-encoded in both hex
cases, form-encoded, JSON-escaped, base64 of ``user:token``, split across lines);
none of stderr, stdout (as the runner shows it), the result JSON, the job summary or
the step outputs holds any of them."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from release_publisher.sandbox.server import start_sandbox

from ..conftest import Workspace, config_text
from ..helpers import clean_env, inject, run_cli

pytestmark = pytest.mark.integration

USER = "ci@example.com"
TOKEN = "tok-S3cr3t+/=:\"'\\"
BASIC = base64.b64encode(f"{USER}:{TOKEN}".encode()).decode()
ENCODED = quote(TOKEN, safe="")  # tok-S3cr3t%2B%2F%3D%3A%22%27%5C
REFLECTED = [
    TOKEN,
    ENCODED,
    ENCODED.lower().replace("tok-s3cr3t", "tok-S3cr3t"),
    quote_plus(TOKEN),
    json.dumps(TOKEN)[1:-1],
    BASIC,
    base64.urlsafe_b64encode(f"{USER}:{TOKEN}".encode()).decode().rstrip("="),
    TOKEN[:6] + "\n" + TOKEN[6:],
]


def _visible(stdout: str) -> str:
    """stdout as the CI log shows it (the runner consumes ``::add-mask::`` lines)."""
    return "\n".join(line for line in stdout.splitlines() if not line.startswith("::add-mask::"))


@pytest.mark.parametrize("body_kind", ["json", "text"])
def test_a_server_reflecting_the_token_in_any_form_leaks_nothing(
    workspace: Workspace, tmp_path: Path, body_kind: str
) -> None:
    reflected = " | ".join(REFLECTED)
    body: object = (
        {"code": "UNAUTHORIZED", "message": f"token {reflected} is not valid"}
        if body_kind == "json"
        else f"Unauthorized: token {reflected} refused"
    )
    out_file, summary = tmp_path / "github_output", tmp_path / "summary.md"
    result_file = workspace.root / "result.json"
    with start_sandbox(data_dir=tmp_path / "data", user=USER, token=TOKEN) as server:
        inject(server, endpoint="upload", status=400, body=body)
        workspace.config(config_text(server.base_url))
        env = clean_env(
            {
                "MARKETPLACE_USER": USER,
                "MARKETPLACE_TOKEN": TOKEN,
                "GITHUB_ACTIONS": "true",
                "GITHUB_OUTPUT": str(out_file),
                "GITHUB_STEP_SUMMARY": str(summary),
                "GITHUB_WORKSPACE": str(workspace.root),
            }
        )
        run = run_cli(
            workspace.root, "publish", "--result-json", str(result_file), env=env,
            result_file=result_file,
        )  # fmt: skip
    assert run.code == 4, run.output
    assert "***" in run.stderr  # the server's message is shown, redacted
    texts = {
        "stdout": _visible(run.stdout),
        "stderr": run.stderr,
        "result JSON": result_file.read_text(encoding="utf-8"),
        "job summary": summary.read_text(encoding="utf-8"),
        "GITHUB_OUTPUT": out_file.read_text(encoding="utf-8") if out_file.exists() else "",
    }
    assert texts["job summary"] and texts["result JSON"]
    leaks = [
        f"{where}: {piece}"
        for where, text in texts.items()
        for piece in ("S3cr3t", "S3c", "%2B%2F", "%2b%2f", BASIC[:16], "dG9rLVMz")
        if piece in text
    ]
    assert leaks == []
