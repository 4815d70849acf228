"""The field rules of config format 1: what each field path is (a string field, a
URL, a number of seconds, a boolean, an ``expect`` value), the keys allowed in each
mapping, an example for each field, which keys look like credentials, and the
per-field checks on a YAML scalar that a schema cannot make (``version: 1.10`` is
the number 1.1 to YAML and must be quoted).

May import: PyYAML nodes, :mod:`.yaml_marks`, :mod:`.model` (defaults),
:mod:`release_publisher.errors`. Knows nothing of jsonschema, interpolation or the
typed config.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from yaml.nodes import ScalarNode

from ..errors import ConfigError, Location
from .model import DEFAULT_BASE_URL
from .yaml_marks import STR_TAG, mark, show

CREDENTIALS_HINT = (
    "credentials never come from the config file; set MARKETPLACE_USER / "
    "MARKETPLACE_TOKEN (or the action's user/token inputs)"
)


# Fields whose value must be a YAML string (never a number/boolean/null).
STRING_FIELD = re.compile(
    r"^(?:app\.(?:key|version)|artifacts\[\d+\]\.(?:name|file|url|sha512|exclude\[\d+\])"
    r"|images\[\d+\]\.(?:type|file)|marketplace\.base-url"
    r"|release\.(?:artifact|hosting|payment-model|license-type|summary|if-exists|copy-from"
    r"|notes\.(?:file|text|link)|listing\.(?:state|screenshots|captions\..+)|agreements\[\d+\]"
    r"|compatibility\[\d+\]\.parent-software-id))$"
)
URL_FIELD = re.compile(
    r"^(?:artifacts\[\d+\]\.url|marketplace\.base-url|release\.agreements\[\d+\]"
    r"|release\.notes\.link)$"
)
NUMBER_FIELD = re.compile(
    r"^(?:polling\.(?:timeout|interval)|uploads\.spacing"
    r"|release\.(?:build-number|compatibility\[\d+\]\.(?:min|max)-build"
    r"|max-length\.(?:summary|notes)))$"
)
# Booleans of the release section; an interpolated "true"/"false" becomes a boolean.
BOOL_FIELD = re.compile(r"^release\.(?:beta|supported|copy-from-previous|notes\.truncate)$")
EXPECT_VALUE = re.compile(r"^artifacts\[\d+\]\.expect\.[^.]+$")
NUMBER_TEXT = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")
#: The longest number (in characters) the config accepts: a build number has at most 19
#: digits; Python refuses to convert integers of more than 4300 digits at all.
MAX_NUMBER_CHARS = 40
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"

# Plain scalars some YAML reader (1.1 or 1.2 core schema) takes for a non-string.
NOT_TEXT = re.compile(
    r"""^(?:
      ~|null|Null|NULL
    | true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF
    | [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])*
    | [-+]?0x[0-9a-fA-F_]+ | [-+]?0o[0-7_]+ | [-+]?0b[01_]+
    | [-+]?(?:\.[0-9][0-9_]*|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?
    | [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)
    )$""",
    re.VERBOSE,
)

# Words that make a key look like it holds a credential.
_SECRET_WORDS = frozenset(
    {
        "token",
        "tokens",
        "password",
        "passwords",
        "passwd",
        "secret",
        "secrets",
        "apikey",
        "credential",
        "credentials",
        "auth",
    }
)

_EXAMPLES = {
    "format": "format: 1",
    "app": 'app: {key: "com.example.hello", version: "1.4.2"}',
    "artifacts": 'artifacts: [{file: "target/*.jar"}]',
    "app.key": 'key: "com.example.hello"',
    "app.version": 'version: "1.4.2"',
    "name": 'name: "server"',
    "file": 'file: "target/hello-*.jar"',
    "exclude": 'exclude: ["target/*-sources.jar", "target/*-javadoc.jar"]',
    "url": 'url: "https://example.com/releases/hello-1.4.2.jar"',
    "sha512": 'sha512: "<128 hex digits>"',
    "type": 'type: "icon"',
    "image.file": 'file: "marketing/icon.png"',
    "base-url": f'base-url: "{DEFAULT_BASE_URL}"',
    "release.artifact": 'artifact: "server" (the name of an artifacts[] entry)',
    "release.hosting": "hosting: datacenter (cloud, server or datacenter)",
    "release.build-number": "build-number: auto (or a whole number such as 1004002)",
    "release.payment-model": "payment-model: free",
    "release.license-type": 'license-type: "<license type ID>"',
    "release.summary": 'summary: "Fixes a crash on start"',
    "release.notes.file": 'file: "CHANGELOG.md"',
    "release.notes.text": 'text: "Fixes a crash on start"',
    "release.notes.link": 'link: "https://github.com/acme/hello/blob/main/CHANGELOG.md"',
    "release.max-length.summary": "summary: 255",
    "release.max-length.notes": "notes: 10000",
    "release.listing.state": "state: public",
    "release.if-exists": "if-exists: skip (or fail, the default)",
    "release.copy-from": 'copy-from: "1.4.1" (an existing version number)',
    "release.listing.screenshots": "screenshots: screenshot (an images[] type)",
    "parent-software-id": 'parent-software-id: "jira"',
    "min-build": "min-build: 900000",
    "polling.timeout": "timeout: 300",
    "polling.interval": "interval: 2",
    "uploads.spacing": "spacing: 10",
    "max-build": "max-build: 1000000",
    "product": "product: jira",
    "max": 'max: "10.3.1" (or latest)',
    "min": 'min: "9.12.0"',
    "developer-id": 'developer-id: "<your developer ID, a UUID>"',
    "app-listing.images": "images: {icon: icon}",
    "compatibility": (
        'compatibility: [{parent-software-id: "jira", min-build: 900000, max-build: 1000000}]'
    ),
}

_ALLOWED_KEYS = {
    "": (
        "format",
        "app",
        "artifacts",
        "images",
        "marketplace",
        "polling",
        "uploads",
        "release",
        "app-listing",
    ),
    "app-listing": ("developer-id", "images"),
    "app-listing.images": ("icon", "banner", "title-logo"),
    "app": ("key", "version"),
    "artifact": ("name", "file", "url", "sha512", "expect", "exclude"),
    "image": ("type", "file", "on-size-mismatch"),
    "marketplace": ("base-url",),
    "polling": ("timeout", "interval"),
    "uploads": ("spacing",),
    "release": (
        "artifact",
        "hosting",
        "build-number",
        "copy-from-previous",
        "compatibility",
        "payment-model",
        "license-type",
        "beta",
        "supported",
        "summary",
        "notes",
        "agreements",
        "listing",
        "max-length",
        "if-exists",
        "copy-from",
    ),
    "release.notes": ("file", "text", "truncate", "link"),
    "release.max-length": ("summary", "notes"),
    "release.listing": ("state", "screenshots", "captions"),
    "compatibility": ("parent-software-id", "min-build", "max-build", "product", "min", "max"),
}


def _key_words(key: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", key)
    words = [w.lower() for w in re.split(r"[^A-Za-z0-9]+", spaced) if w]
    joined = [a + b for a, b in itertools.pairwise(words)]
    return words + joined + ["".join(words)]


def looks_like_secret_key(key: str) -> bool:
    """True when a config key looks like it holds a credential: one of its words
    (split at ``-``, ``_``, ``.`` and camelCase) is token, password, passwd, secret,
    api-key/apikey, credential(s) or auth (``accessToken``, ``api_key``,
    ``MARKETPLACE_TOKEN``, ``auth``; not ``author``)."""
    return any(w in _SECRET_WORDS for w in _key_words(key))


def allowed_keys(path: str) -> tuple[str, ...]:
    """The keys allowed in the mapping at field path ``path`` (``artifacts[0]``,
    ``release``...); ``()`` for a path that is no mapping of the format."""
    if re.fullmatch(r"artifacts\[\d+\]", path):
        return _ALLOWED_KEYS["artifact"]
    if re.fullmatch(r"images\[\d+\]", path):
        return _ALLOWED_KEYS["image"]
    if re.fullmatch(r"release\.compatibility\[\d+\]", path):
        return _ALLOWED_KEYS["compatibility"]
    return _ALLOWED_KEYS.get(path, ())


def example(path: str) -> str:
    """A short YAML example for the field at ``path``."""
    key = path.rsplit(".", 1)[-1]
    if path.startswith("images[") and key == "file":
        key = "image.file"
    return _EXAMPLES.get(path) or _EXAMPLES.get(key) or f"{key}: ..."


def describe(value: Any) -> str:
    """What YAML made of a scalar, in words: ``the number 1.1``, ``the boolean true``,
    ``null (no value)``, ``a date ('2024-01-31')``."""
    if value is None:
        return "null (no value)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value!r}"
    return f"a {type(value).__name__} ({show(str(value))})"


def safe_url(value: str) -> str:
    """The URL with any ``user:password@`` part removed, for messages."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return value.split("@", 1)[-1] if "@" in value else value
    if "@" in parts.netloc:
        host = parts.netloc.rsplit("@", 1)[1]
        return parts._replace(netloc=f"***@{host}").geturl()
    return value


def check_number_text(text: str, path: str, key_text: str, location: Location) -> None:
    """Refuse a number written with more than :data:`MAX_NUMBER_CHARS` characters
    (``timeout: 999...9`` with 5000 digits) before it is converted. ``text`` is the
    scalar (or interpolated) text of the field at ``path``. Raises :class:`ConfigError`
    at ``location``."""
    if len(text) <= MAX_NUMBER_CHARS:
        return
    hint = f"write a plain number, e.g. {example(path)}"
    if not NUMBER_FIELD.match(path):
        hint = f'quote it if you mean text: {key_text}: "..."'
    raise ConfigError(
        f"{path} is a number of {len(text)} characters; numbers in the config have at "
        f"most {MAX_NUMBER_CHARS}",
        hint=hint,
        location=location,
    )


def check_finite(value: Any, text: str, path: str, location: Location) -> None:
    """Refuse NaN and infinity (``.nan``, ``.inf``, ``-.inf``, ``1.0e999``) in any number
    of the config: a comparison with NaN is always false, so ``polling.timeout: .nan``
    would pass every bound and poll forever. Raises :class:`ConfigError` at ``location``."""
    if not isinstance(value, float) or math.isfinite(value):
        return
    what = "not a number" if math.isnan(value) else "infinity"
    raise ConfigError(
        f"{path} must be a finite number, got {text} ({what})",
        hint=f"write a plain number, e.g. {example(path)}",
        location=location,
    )


def require_text(
    node: ScalarNode,
    path: str,
    key_text: str,
    *,
    file: str,
    explicit: set[int],
    construct: Callable[[ScalarNode, str], Any],
) -> None:
    """Refuse a string field (``app.version``...) whose YAML scalar is empty or is not
    text to every YAML reader (``version: 1.10`` is the number 1.1; ``yes`` a boolean).

    ``explicit`` holds the ids of scalars with an explicit tag (``!!str 1.10`` is
    text); ``construct`` turns a scalar into its YAML value (for the message).
    Raises :class:`ConfigError` at the scalar's file:line:col with a quoting hint.
    """
    text = str(node.value)
    plain = node.style is None
    sample = example(path)
    if plain and text == "":
        raise ConfigError(
            f"{path} is empty",
            hint=f"give a value, e.g. {sample}",
            location=mark(file, node, path),
        )
    if node.tag == STR_TAG and (not plain or id(node) in explicit or not NOT_TEXT.match(text)):
        return
    if node.tag == STR_TAG:
        problem = f"YAML 1.2 tools read {text} as a number, boolean or null"
    else:
        problem = f"YAML reads {text} as {describe(construct(node, path))}"
    raise ConfigError(
        f"{path} must be a string, but {problem}",
        hint=f'quote it: {key_text}: "{text}"',
        location=mark(file, node, path),
    )


def check_expect_value(
    node: ScalarNode, path: str, key_text: str, value: Any, *, file: str, explicit: set[int]
) -> None:
    """Refuse an ``artifacts[i].expect.<field>`` value that is not a string, finite
    number or boolean written the way YAML reads it (``2024-01-31`` is a date, ``~``
    no value, ``0x10`` the integer 16). Raises :class:`ConfigError` at file:line:col.
    """
    text = str(node.value)
    if value is None:
        raise ConfigError(
            f"{path} has no value",
            hint=f"give the value Marketplace must report, e.g. {key_text}: true",
            location=mark(file, node, path),
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(
            f"{path} must be a finite number, a string or true/false",
            hint=f'quote it if you mean text: {key_text}: "{text}"',
            location=mark(file, node, path),
        )
    if isinstance(value, str):
        return
    if not isinstance(value, bool | int | float):
        raise ConfigError(
            f"{path}: YAML reads {text} as {describe(value)}",
            hint=f'quote it: {key_text}: "{text}"',
            location=mark(file, node, path),
        )
    if node.style is not None or id(node) in explicit:
        return
    if json.dumps(value) != text:
        raise ConfigError(
            f"{path}: YAML reads {text} as {describe(value)}",
            hint=f'quote it if you mean text: {key_text}: "{text}"',
            location=mark(file, node, path),
        )
