"""Shared fixtures. Unit tests (tests/unit) run with sockets disabled."""
