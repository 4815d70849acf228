"""The listing images stage: ``POST /rest/3/assets/images/{imageType}`` for each
image. One task per image (:meth:`ImageStage.tasks`), depending on nothing: images are
uploaded while the artifacts are uploaded and processed; the result lists them in
config order (files sorted) whatever order they finish in. An image a previous run
uploaded (same type, file and SHA-512 of the file: :meth:`.resume.PreviousRun.image`)
is reused, not sent again; each image's SHA-512 is recorded in its result entry. The
result is checkpointed after each image."""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..limits import human_size
from ..preflight.model import LocalImage
from ..result import ImageResult
from .run import Run
from .tasks import Task

log = logging.getLogger("release_publisher")


class ImageStage:
    """Uploads (or reuses) every listing image of the plan."""

    title = "Listing images"

    def plan(self, run: Run) -> None:
        """Nothing to read: pre-flight already checked every image."""

    def tasks(self, run: Run) -> list[Task]:
        """One task per image, in config order, named ``image N`` (N from 1, config
        order), depending on nothing. Each raises ApiError."""
        return [
            Task(
                name=f"image {index}",
                work=_uploader(run, local, record),
                subject=f"{local.type} image {record.file}",
            )
            for index, (local, record) in enumerate(
                zip(run.plan.images, run.result.images, strict=True), start=1
            )
        ]

    def apply(self, run: Run) -> None:
        """Upload each image into its result record, one after another, checkpointing
        after each one. Raises ApiError."""
        for task in self.tasks(run):
            task()


def _uploader(run: Run, local: LocalImage, record: ImageResult) -> Callable[[], None]:
    """The work of one image's task: upload (or reuse) it, timed into
    ``result.timings["images"]`` (summed over the images), then checkpoint."""

    def work() -> None:
        with run.phase("Listing images", "images"):
            try:
                _upload_image(run, local, record)
            finally:
                run.checkpoint()

    return work


def _upload_image(run: Run, local: LocalImage, record: ImageResult) -> None:
    checksum = run.checksums.sha512(local.path)
    entry = run.previous.image(local.type, record.file, checksum) if run.previous else None
    record.sha512 = checksum
    if entry is not None:
        record.id = str(entry["id"])
        record.reused = True
        log.info(
            "Reusing %s image %s from the previous run: ID %s", local.type, record.file, record.id
        )
        return
    record.id, record.reused = None, False  # a previous ID of other bytes is not this file's
    dims = f"{local.width}x{local.height}, " if local.width and local.height else ""
    log.info("Uploading %s image %s (%s%s)", local.type, record.file, dims, human_size(local.size))
    progress = run.progress(record.file, local.size) if run.progress else None
    # the type pre-flight read from the bytes (png, jpeg, gif, bmp), not the name's
    media = run.require_api().upload_image(
        local.type, local.path, progress=progress, content_type=f"image/{local.format}"
    )
    record.id = media.id
    log.info("Uploaded %s image: ID %s", local.type, media.id)
