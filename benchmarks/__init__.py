"""Benchmarks of release-publisher (``make bench``; see benchmarks/README.md)."""
