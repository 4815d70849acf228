"""Pre-flight's entry: :func:`run_preflight` over every artifact (:func:`check_artifact`)
then every image; attaches the config location to each failure. The rules are told in
the package docstring (:mod:`release_publisher.preflight`).
"""

from __future__ import annotations

from pathlib import Path

from ..config.model import ArtifactSpec, ReleaseConfig
from ..errors import FileCheckError, Location
from ..limits import UPLOAD_BUDGET_BYTES, UPLOAD_BUDGET_WINDOW_SECONDS, human_size
from .descriptors import (
    Inspection,
    check_identity,
    inspect_artifact,
)
from .files import display_path, find_one, with_match_context
from .images import check_image_spec
from .model import LocalArtifact, LocalImage, Plan


def _located(exc: FileCheckError, prefix: str, location: Location) -> FileCheckError:
    return FileCheckError(
        f"{prefix}{exc.message}", hint=exc.hint, location=exc.location or location
    )


def check_artifact(spec: ArtifactSpec, config: ReleaseConfig) -> tuple[LocalArtifact, list[str]]:
    """Check one ``file`` artifact (steps 1-4 of the module docstring); returns the
    :class:`LocalArtifact` (``path``, ``size`` in bytes, ``kind``, ``descriptor``) and
    warnings. A ``url`` artifact gives ``LocalArtifact(spec)``. Raises
    :class:`FileCheckError` without a location."""
    if spec.file is None:
        return LocalArtifact(spec), []
    path, size = find_one(spec.file, config.base_dir, what="artifact", exclude=spec.exclude)
    shown = display_path(path, config.base_dir, spec.file)
    try:
        found: Inspection = inspect_artifact(path, shown=shown)
    except FileCheckError as exc:
        # a text file renamed .jar, a corrupt zip, a zip bomb: name the pattern too
        raise with_match_context(exc, spec.file, config.base_dir) from None
    warnings = list(found.warnings)
    if found.descriptor is not None:
        check_identity(
            found.descriptor,
            found.kind,
            app_key=config.app_key,
            version=config.version,
            version_source=config.version_source,
            shown=shown,
        )
    artifact = LocalArtifact(
        spec=spec, path=path, size=size, kind=found.kind, descriptor=found.descriptor
    )
    return artifact, warnings


def run_preflight(config: ReleaseConfig) -> Plan:
    """Check every local file of ``config`` (no network) and return the
    :class:`Plan`: artifacts in config order, images in config order with each glob's
    matches sorted, and warnings (text, each naming its config entry).

    Raises :class:`FileCheckError` (exit 3) for the first failing artifact or image,
    with ``location=config.where("artifacts[i].file")`` (or ``images[i].file``) and
    the artifact's name in the message."""
    warnings: list[str] = []
    artifacts: list[LocalArtifact] = []
    seen: dict[Path, str] = {}
    for index, spec in enumerate(config.artifacts):
        field = f"artifacts[{index}].file"
        try:
            artifact, found = check_artifact(spec, config)
        except FileCheckError as exc:
            raise _located(exc, f"artifact {spec.name!r}: ", config.where(field)) from None
        warnings.extend(f"artifacts[{index}] ({spec.name}): {w}" for w in found)
        if artifact.path is not None:
            resolved = artifact.path.resolve()
            if resolved in seen:
                warnings.append(
                    f"artifacts[{index}] ({spec.name}): the same file as {seen[resolved]}"
                    f" ({display_path(artifact.path, config.base_dir, spec.file)}) is uploaded"
                    " twice"
                )
            seen.setdefault(resolved, f"artifacts[{index}] ({spec.name})")
        artifacts.append(artifact)
    images: list[LocalImage] = []
    for index, image_spec in enumerate(config.images):
        label = f"images[{index}]"
        try:
            checked, found = check_image_spec(image_spec, config.base_dir, label=label)
        except FileCheckError as exc:
            raise _located(
                exc, f"{label} ({image_spec.type}): ", config.where(f"{label}.file")
            ) from None
        images.extend(checked)
        warnings.extend(found)
    total = sum(a.size or 0 for a in artifacts) + sum(i.size for i in images)
    if total > UPLOAD_BUDGET_BYTES:
        warnings.append(
            f"this release uploads {human_size(total)}, more than Marketplace's upload"
            f" budget of about {human_size(UPLOAD_BUDGET_BYTES)} per"
            f" {UPLOAD_BUDGET_WINDOW_SECONDS // 3600} hours: expect 429 answers part way"
            " (re-run later with --resume to finish), or split the release"
        )
    return Plan(
        config=config, artifacts=tuple(artifacts), images=tuple(images), warnings=tuple(warnings)
    )
