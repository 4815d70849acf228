"""release-publisher: ship Atlassian Marketplace app releases from CI.

Kept import-free on purpose: ``release-publisher --version`` and ``check`` must start
fast, so heavy modules (requests, jsonschema) are imported where they are used.
"""

__version__ = "0.1.0"
