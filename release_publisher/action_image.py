"""The composite action's first step: write the one-step Docker action it then runs.

``action.yml`` is a composite action (the trampoline). Its first step runs this script
with the runner's ``python3`` (standard library only) to write a Docker container
action manifest, ``runs.using: docker``, whose image depends on the ref the user pinned:

================================== ===============================================
the step says                      ``runs.image`` of the generated manifest
================================== ===============================================
``uses: OWNER/release-publisher``  ``docker://ghcr.io/<owner>/release-publisher:<ref>``
``@v1``, ``@v1.4``, ``@v1.4.2``    (the image ``.github/workflows/image.yml``
(a release tag, see RELEASE_TAG)   published for that git tag; no build, no index)
any other ref (a branch, a commit  the absolute path of the ``Dockerfile`` in the
SHA), a fork, a local ``./`` use   action's own checkout: the runner builds it
================================== ===============================================

A fork is any repository other than :data:`PUBLISHER` (the one whose image workflow
pushes to ghcr.io). The generated manifest declares the same inputs and outputs as
``action.yml`` (:data:`INPUTS`, :data:`OUTPUTS`; a unit test keeps the three lists
equal), so the runner passes every input as ``INPUT_<NAME>`` exactly as it did when
``action.yml`` was itself the Docker action, and the image's entry point
(``entrypoint.py``) is unchanged.

Usage::

    python3 -I release_publisher/action_image.py write --ref REF --repository OWNER/NAME \\
        --action-path DIR --out DIR     # writes DIR/action.yml, prints the image
    python3 -I release_publisher/action_image.py image --ref REF --repository OWNER/NAME
        # prints the published image name for that ref, or nothing (image.yml)
    python3 -I release_publisher/action_image.py publisher
        # prints PUBLISHER (.ci/generated-manifests)

It is run by path with ``python3 -I`` (isolated: the script's own directory, which
holds the package's ``secrets.py``, must not shadow the standard library).

Exit codes: 0 done, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

#: The repository whose ``.github/workflows/image.yml`` publishes the images. A fork
#: that publishes its own images changes this line (and nothing else).
PUBLISHER = "example-org/release-publisher"
REGISTRY = "ghcr.io"
IMAGE_NAME = "release-publisher"
#: Git tags that have a published image: ``v1``, ``v1.4``, ``v1.4.2``, ``v1.5.0-rc.1``.
RELEASE_TAG = re.compile(r"v(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*)){0,2}(-[0-9A-Za-z.-]+)?")
#: Docker's limit on a tag's length.
MAX_TAG = 128

#: action.yml's inputs, in its order, with their defaults.
INPUTS: tuple[tuple[str, str], ...] = (
    ("config", "marketplace-release.yml"),
    ("user", ""),
    ("token", ""),
    ("version", ""),
    ("base-url", ""),
    ("dry-run", "false"),
    ("working-directory", "."),
    ("poll-timeout", ""),
    ("ca-bundle", ""),
    ("resume-from", ""),
    ("if-exists", ""),
    ("trace", "false"),
)
#: action.yml's outputs, in its order.
OUTPUTS: tuple[str, ...] = (
    "status",
    "artifact-id",
    "artifact-ids",
    "checksums",
    "image-ids",
    "result-file",
    "version-build-number",
    "version-state",
    "version-url",
    "listing-state",
    "listing-url",
    "app-listing-updated",
    "trace-file",
)


def published_image(ref: str, repository: str) -> str | None:
    """The published image for action ``repository`` (``owner/name``) at git ``ref``:
    ``ghcr.io/<owner, lower-cased>/release-publisher:<ref>`` when ``repository`` is
    :data:`PUBLISHER` (any case) and ``ref`` is a release tag (:data:`RELEASE_TAG`);
    None otherwise (a branch, a commit SHA, a fork, an empty ref)."""
    if repository.strip().lower() != PUBLISHER.lower():
        return None
    if len(ref) > MAX_TAG or not RELEASE_TAG.fullmatch(ref):
        return None
    owner = PUBLISHER.split("/", 1)[0].lower()
    return f"{REGISTRY}/{owner}/{IMAGE_NAME}:{ref}"


def choose_image(ref: str, repository: str, action_path: Path) -> str:
    """The generated manifest's ``runs.image``: ``docker://`` + :func:`published_image`,
    else the absolute path of ``action_path/Dockerfile`` (the runner builds it, with
    its directory as the build context)."""
    image = published_image(ref, repository)
    if image is not None:
        return f"docker://{image}"
    return str((action_path / "Dockerfile").resolve())


def render_manifest(image: str) -> str:
    """The text of the Docker container action running ``image``, declaring
    :data:`INPUTS` and :data:`OUTPUTS`. Scalars are JSON strings, which YAML reads
    as double-quoted strings."""
    lines = [
        "# Written by release-publisher's action_image.py; removed after the step.",
        f"name: {json.dumps('release-publisher (container)')}",
        f"description: {json.dumps('Runs the release-publisher image; see its action.yml.')}",
        "inputs:",
    ]
    for name, default in INPUTS:
        lines += [
            f"  {name}:",
            f"    description: {json.dumps(f'The {name} input of action.yml.')}",
            "    required: false",
            f"    default: {json.dumps(default)}",
        ]
    lines.append("outputs:")
    for name in OUTPUTS:
        lines += [f"  {name}:", f"    description: {json.dumps(f'See action.yml: {name}.')}"]
    lines += ["runs:", "  using: docker", f"  image: {json.dumps(image)}", ""]
    return "\n".join(lines)


def write_manifest(out: Path, *, ref: str, repository: str, action_path: Path) -> str:
    """Write ``out/action.yml`` (creating ``out``) for the action at ``action_path``
    pinned at ``ref`` of ``repository``; returns the image it runs. Raises OSError
    when ``out`` cannot be written."""
    image = choose_image(ref, repository, action_path)
    out.mkdir(parents=True, exist_ok=True)
    (out / "action.yml").write_text(render_manifest(image), encoding="utf-8")
    return image


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (see the module docstring); returns the exit code."""
    parser = argparse.ArgumentParser(prog="action_image.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    write = sub.add_parser("write", help="write OUT/action.yml and print its image")
    image = sub.add_parser("image", help="print the published image for REF, if any")
    sub.add_parser("publisher", help="print the repository whose images are published")
    for command in (write, image):
        command.add_argument("--ref", default="", help="github.action_ref (or the git tag)")
        command.add_argument("--repository", default="", help="owner/name of the action")
    write.add_argument("--action-path", type=Path, required=True, help="github.action_path")
    write.add_argument("--out", type=Path, required=True, help="directory for action.yml")
    args = parser.parse_args(argv)
    if args.command == "publisher":
        print(PUBLISHER)
        return 0
    if args.command == "image":
        print(published_image(args.ref, args.repository) or "")
        return 0
    try:
        chosen = write_manifest(
            args.out, ref=args.ref, repository=args.repository, action_path=args.action_path
        )
    except OSError as exc:
        print(f"action_image.py: cannot write {args.out}/action.yml: {exc}", file=sys.stderr)
        return 2
    print(f"release-publisher image: {chosen}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
