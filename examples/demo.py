#!/usr/bin/env python3
"""`make demo`: the main job end to end, on the built-in Marketplace emulator.

1. builds the sample app (examples/hello-app) into a JAR and an OBR;
2. starts `release-publisher sandbox` on a free loopback port, and serves the OBR on
   another one as the "release URL" Marketplace fetches from;
3. runs `release-publisher check`, then `release-publisher publish` with
   examples/release.yml exactly as a CI job would (credentials in the environment);
4. shows the step outputs and the result JSON;
5. runs the same publish again, as a pipeline re-run would: everything is found on
   Marketplace, nothing is sent, and the status is ``unchanged``; then stops the
   emulator.

Exits 0 when the release was published and verified and the re-run was unchanged,
non-zero if any step fails.
Everything it writes goes to demo-out/ (and examples/hello-app/target/).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from release_publisher.testing import SAMPLE_APP_SEED, sandbox_admin

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
OUT = Path(os.environ.get("DEMO_OUT") or ROOT / "demo-out").resolve()
BIN = Path(sys.executable).parent
CLI = (
    [str(BIN / "release-publisher")]
    if (BIN / "release-publisher").exists()
    else [
        sys.executable,
        "-m",
        "release_publisher",
    ]
)
BOLD = "\033[1m" if sys.stdout.isatty() else ""
RESET = "\033[0m" if sys.stdout.isatty() else ""


def step(text: str) -> None:
    print(f"\n{BOLD}== {text}{RESET}", flush=True)


def run(cmd: list[str], env: dict[str, str]) -> int:
    shown = " ".join(c if " " not in c else repr(c) for c in cmd)
    print(f"$ {shown.replace(str(BIN) + '/', '')}", flush=True)
    if env.get("GITHUB_ACTIONS") != "true":
        return subprocess.call(cmd, env=env, cwd=ROOT)
    # as a GitHub log shows it: the runner hides its ::add-mask:: commands
    proc = subprocess.run(
        cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False
    )
    lines = proc.stdout.decode("utf-8", "replace").splitlines()
    masks = [line for line in lines if line.startswith("::add-mask::")]
    if masks:
        print(f"({len(masks)} ::add-mask:: commands, hidden by the runner, left out here)")
    for line in lines:
        if not line.startswith("::add-mask::"):
            print(line)
    return proc.returncode


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        sys.stdout.write(f"   [release URL server] {format % args}\n")


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for stale in ("result.json", "github-output.txt", "job-summary.md"):
        (OUT / stale).unlink(missing_ok=True)

    step("1/5 Build the sample app (what `mvn package` does in a real pipeline)")
    built = subprocess.call(
        [sys.executable, str(EXAMPLES / "hello-app" / "build.py"), "--obr"], cwd=ROOT
    )
    if built != 0:
        return built
    target = EXAMPLES / "hello-app" / "target"

    step("2/5 Start the Marketplace emulator and a release-URL server on loopback")
    user, token = "demo@example.com", "demo-" + secrets.token_hex(12)
    workdir = Path(tempfile.mkdtemp(prefix="release-publisher-demo-"))
    ready = workdir / "ready"
    sandbox = subprocess.Popen(
        [
            *CLI,
            "sandbox",
            "--port",
            "0",
            "--data-dir",
            str(workdir / "data"),
            "--user",
            user,
            "--token",
            token,
            "--processing-delay",
            "2",
            "--ready-file",
            str(ready),
        ],
        cwd=ROOT,
    )
    files = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(target))
    )
    threading.Thread(target=files.serve_forever, daemon=True).start()
    try:
        deadline = time.monotonic() + 20
        while not (ready.exists() and ready.read_text().strip()):
            if sandbox.poll() is not None or time.monotonic() > deadline:
                print("The emulator did not start (see above).", file=sys.stderr)
                return 1
            time.sleep(0.05)
        base_url = ready.read_text().strip()
        seed_app(base_url)
        obr_url = f"http://127.0.0.1:{files.server_address[1]}/hello-1.4.2.obr"
        print(f"   Marketplace emulator: {base_url}")
        print(f"   release URL:          {obr_url}")

        env = {
            **os.environ,
            "MARKETPLACE_USER": user,
            "MARKETPLACE_TOKEN": token,
            "HELLO_OBR_URL": obr_url,
        }
        for name in ("GITHUB_ACTIONS", "GITLAB_CI", "RELEASE_VERSION", "MARKETPLACE_DEVELOPER_ID"):
            env.pop(name, None)
        config = str(EXAMPLES / "release.yml")

        step("3/5 Check the config and the built files (no network)")
        code = run([*CLI, "check", "--config", config], env)
        if code != 0:
            return code

        step("4/5 Publish, as the CI job does (here as in a GitHub Actions step: its log format)")
        result_file = OUT / "result.json"
        github_output = OUT / "github-output"
        github_output.write_text("", encoding="utf-8")
        github_env = {
            **env,
            "GITHUB_ACTIONS": "true",
            "GITHUB_OUTPUT": str(github_output),
            "GITHUB_STEP_SUMMARY": str(OUT / "job-summary.md"),
        }
        code = run(
            [
                *CLI,
                "publish",
                "--config",
                config,
                "--base-url",
                base_url,
                "--result-json",
                str(result_file),
            ],
            github_env,
        )
        show_outputs(github_output, result_file)
        if code != 0:
            print(f"\npublish failed with exit code {code}", file=sys.stderr)
            return code

        step("5/5 Run the same release again (a pipeline re-run): nothing is sent")
        again_file = OUT / "result-rerun.json"
        again_file.unlink(missing_ok=True)
        code = run(
            [
                *CLI,
                "publish",
                "--config",
                config,
                "--base-url",
                base_url,
                "--result-json",
                str(again_file),
            ],
            env,
        )
        status = json.loads(again_file.read_text(encoding="utf-8")).get("status")
        print(f"   status of the re-run: {status}")
        if code != 0 or status != "unchanged":
            print(f"\nthe re-run ended with exit code {code}, status {status}", file=sys.stderr)
            return code or 1
        print(
            f"\n{BOLD}Done.{RESET} The artifacts were uploaded and verified, the listing "
            "images uploaded, the icon set on the app listing, and version 1.4.2 created "
            "(jira 9.12.0 to 10.3.1, resolved to build numbers) with its listing; the re-run "
            "found it all there (status unchanged); nothing left this machine.\nNext: `make "
            "test`, then see README.md for the GitHub Action and GitLab CI set-up."
        )
        return 0
    finally:
        files.shutdown()
        sandbox.terminate()
        try:
            sandbox.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sandbox.kill()
        shutil.rmtree(workdir, ignore_errors=True)


#: the developer ID examples/release.yml uses by default (app-listing.developer-id)
DEVELOPER_ID = "0b5c1e2a-7f3d-4e55-9a0b-3c2d1e0f4a5b"


def seed_app(base_url: str) -> None:
    """Register the sample app in the emulator with an earlier version, 1.4.1, so the
    release section has compatibility and a payment model to copy from, and its app
    listing in the developer space of :data:`DEVELOPER_ID`."""
    sandbox_admin(base_url, "/_sandbox/apps", SAMPLE_APP_SEED)
    print("   seeded app com.example.hello (datacenter) with version 1.4.1 (build 1004001)")
    listing = {"developerId": DEVELOPER_ID, "appKey": "com.example.hello", "appName": "Hello"}
    sandbox_admin(base_url, "/_sandbox/product-listings", listing)
    print(f"   seeded the app listing of com.example.hello for developer {DEVELOPER_ID}")


def _shown(path: Path) -> str:
    """``path`` relative to the repository when inside it."""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def show_outputs(github_output: Path, result_file: Path) -> None:
    """Print the step outputs the run wrote to ``GITHUB_OUTPUT`` (``name=value`` lines,
    or ``name<<DELIMITER`` blocks) and the result JSON."""
    outputs: dict[str, str] = {}
    lines = iter(github_output.read_text(encoding="utf-8").splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            outputs[name] = "\n".join(iter(lambda: next(lines), delimiter))
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
    step(f"Step outputs (as written to GITHUB_OUTPUT: {_shown(github_output)})")
    for name, value in outputs.items():
        print(f"   {name:<21} {value if len(value) <= 100 else value[:97] + '...'}")
    if result_file.exists():
        step(f"Result JSON ({_shown(result_file)})")
        print(result_file.read_text(encoding="utf-8"))


if __name__ == "__main__":
    sys.exit(main())
