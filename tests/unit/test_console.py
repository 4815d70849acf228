"""The CLI's logging set-up: every line any logger writes is redacted and one line."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from release_publisher.console import setup_logging
from release_publisher.secrets import Credentials, register_credentials

TOKEN = "tok-Cons0le-S3cr3t"


@pytest.fixture
def out() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    ours = logging.getLogger("release_publisher")
    saved = (ours.level, ours.propagate, logging.getLogger().level)
    register_credentials(Credentials("bot@example.com", TOKEN))
    setup_logging(verbose=False, stream=stream)
    yield stream
    root = logging.getLogger()
    for owner in (logging.getLogger("release_publisher"), root):
        for handler in list(owner.handlers):
            if getattr(handler, "release_publisher", False):
                owner.removeHandler(handler)
    ours.setLevel(saved[0])
    ours.propagate = saved[1]
    root.setLevel(saved[2])


def test_a_library_logger_s_record_is_redacted(out: io.StringIO) -> None:
    logging.getLogger("urllib3.connectionpool").warning("Retrying with auth %s", TOKEN)
    text = out.getvalue()
    assert "Retrying with auth" in text
    assert TOKEN not in text


def test_a_server_value_with_a_newline_cannot_start_a_workflow_command(
    out: io.StringIO,
) -> None:
    logging.getLogger("release_publisher").info("image %s uploaded", "img1\n::warning::INJECTED")
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert not any(line.startswith("::") for line in lines)


def test_setting_up_twice_leaves_one_handler(out: io.StringIO) -> None:
    setup_logging(verbose=False, stream=out)
    logging.getLogger("release_publisher").info("once")
    assert out.getvalue().count("once") == 1
