"""Shared fixtures. Unit tests (tests/unit) run with sockets disabled."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """A test that runs the CLI in process sets up the tool's logging (handlers on our
    logger and the root logger): every test gets logging back as it found it."""
    logger = logging.getLogger("release_publisher")
    handlers, level, propagate = list(logger.handlers), logger.level, logger.propagate
    root = logging.getLogger()
    root_filters, root_handlers, root_level = list(root.filters), list(root.handlers), root.level
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)
    logger.propagate = propagate
    root.filters[:] = root_filters
    root.handlers[:] = root_handlers
    root.setLevel(root_level)
