"""The listing images stage."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from release_publisher.clock import FakeClock

from ..fakes import FakeApi, make_plan, publish_run


def test_images_are_sent_with_the_type_read_from_their_bytes(tmp_path: Path) -> None:
    """A PNG saved as .jpg is uploaded as image/png (pre-flight read its magic bytes)."""
    clock = FakeClock()
    plan = make_plan(tmp_path, images=1)
    misnamed = tmp_path / "shot0.jpg"
    plan.images[0].path.rename(misnamed)
    plan = dataclasses.replace(plan, images=(dataclasses.replace(plan.images[0], path=misnamed),))
    api = FakeApi(clock)
    _, _, error = publish_run(plan, api, clock)
    assert error is None
    assert api.image_content_types == ["image/png"]
