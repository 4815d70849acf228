"""Which origin a server-supplied URL points at is judged by the code that connects
(``requests``' preparation and the adapter's pool key), never by ``urlsplit``: a
table of tricky URLs, the adapter's last guard, and the client refusing such a
redirect (requests-mock; no sockets)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from requests.adapters import HTTPAdapter

from release_publisher.errors import ApiError, UsageError
from release_publisher.marketplace.client import MarketplaceClient
from release_publisher.marketplace.connections import (
    Adapter,
    CrossOriginRefused,
    connects_to,
    origin,
)

from .helpers import CREDS, artifact_json, make_client

BASE = "http://127.0.0.1:18081"
OWN = ("http", "127.0.0.1", 18081)
OTHER = ("http", "127.0.0.9", 18998)
NOWHERE = ("", "", -1)

#: url -> the origin a request to it connects to (what urllib3 opens a socket to).
TABLE = {
    # backslash-at: urlsplit reads 127.0.0.1, urllib3 connects to 127.0.0.9
    "http://127.0.0.9:18998\\@127.0.0.1:18081/rest/3/artifacts/abc": OTHER,
    "http://127.0.0.9:18998\\\\127.0.0.1:18081/x": OTHER,
    # tab / newline / CR LF / space inside the authority
    "http://127.0.0.1:18081\t@127.0.0.9:18998/x": OTHER,
    "http://127.0.0.9:18998\t\\@127.0.0.1:18081/x": NOWHERE,
    "http://127.0.0.1:18081\n/x": NOWHERE,
    "http://127.0.\t0.1:18081/x": NOWHERE,
    "http://127.0.0.1:18081\r\n@127.0.0.9:18998/x": OTHER,
    "http://127.0.0.1:18081 @127.0.0.9:18998/x": OTHER,
    # fragment / query delimiters before an @
    "http://127.0.0.9:18998#@127.0.0.1:18081/x": OTHER,
    "http://127.0.0.9:18998?@127.0.0.1:18081/x": OTHER,
    # percent-encoded host: requests decodes it and connects to 127.0.0.1
    "http://%31%32%37.0.0.1:18081/x": OWN,
    "http://127.0.0.1%2F@127.0.0.9:18998/x": OTHER,
    # user info
    "http://127.0.0.1:18081@127.0.0.9:18998/x": OTHER,
    "http://u:p@127.0.0.1:18081/x": OWN,
    # IPv6, with a zone
    "http://[::1%25eth0]:18081/x": ("http", "::1%25eth0", 18081),
    "http://[::1]:18081/x": ("http", "::1", 18081),
    # @ in the path
    "http://127.0.0.1:18081/a@127.0.0.9:18998/x": OWN,
    # unicode dots are no IDNA label: no request can be made
    "http://127\u30020\u30020\u30021:18081/x": NOWHERE,
    # a trailing dot is another pool key (refused, the safe side)
    "http://127.0.0.1.:18081/x": ("http", "127.0.0.1.", 18081),
    # upper-case scheme and host, default and zero-padded ports
    "HTTP://127.0.0.1:18081/x": OWN,
    "https://API.Atlassian.com:443/x": ("https", "api.atlassian.com", 443),
    "https://api.atlassian.com/x": ("https", "api.atlassian.com", 443),
    "http://127.0.0.1:80/x": ("http", "127.0.0.1", 80),
    "http://127.0.0.1:018081/x": OWN,
    # scheme-relative, backslashes for slashes, an invalid port
    "//127.0.0.9:18998/x": ("", "127.0.0.9", 18998),
    "http:\\\\127.0.0.9:18998/x": NOWHERE,
    "http://127.0.0.1:99999/x": NOWHERE,
}


@pytest.mark.parametrize("url", sorted(TABLE))
def test_the_origin_is_the_one_the_adapter_connects_to(url: str) -> None:
    assert origin(url) == TABLE[url]
    if TABLE[url] != NOWHERE:
        # and it is exactly the pool key requests hands to urllib3
        prepared = requests.Request("GET", url).prepare()
        params, _ = HTTPAdapter().build_connection_pool_key_attributes(prepared, True)
        assert (params["scheme"], params["host"]) == TABLE[url][:2]


def test_urlsplit_would_have_been_fooled() -> None:
    url = "http://127.0.0.9:18998\\@127.0.0.1:18081/rest/3/artifacts/abc"
    assert urlsplit(url).hostname == "127.0.0.1"
    assert origin(url) == OTHER


@pytest.mark.parametrize("url", sorted(TABLE))
def test_the_transport_allows_only_its_own_origin_without_user_info(url: str) -> None:
    transport = make_client(base=BASE)._transport
    allowed = transport.allows(url)
    assert allowed == (TABLE[url] == OWN and connects_to(url)[1] is False)
    if "@127.0.0.1" in url and "\\" in url:
        assert not allowed


def test_user_info_in_a_server_url_is_refused() -> None:
    transport = make_client(base=BASE)._transport
    assert transport.allows(f"{BASE}/x")
    assert not transport.allows("http://u:p@127.0.0.1:18081/x")


def test_the_adapter_refuses_credentials_to_another_origin() -> None:
    adapter = Adapter(send_timeout=5, ssl_context=None, allowed_origin=OWN)
    session = requests.Session()
    session.auth = (CREDS.user, CREDS.token)
    own = session.prepare_request(requests.Request("GET", f"{BASE}/x"))
    assert adapter.build_connection_pool_key_attributes(own, True)[0]["host"] == "127.0.0.1"
    bad = "http://127.0.0.9:18998\\@127.0.0.1:18081/rest/3/artifacts/abc"
    other = session.prepare_request(requests.Request("GET", bad))
    with pytest.raises(CrossOriginRefused):
        adapter.build_connection_pool_key_attributes(other, True)
    # without credentials the guard has nothing to protect
    anonymous = requests.Request("GET", bad).prepare()
    assert adapter.build_connection_pool_key_attributes(anonymous, True)[0]["port"] == 18998


def test_a_backslash_redirect_is_refused_before_anything_is_sent(requests_mock: Any) -> None:
    location = "http://127.0.0.9:18998\\@127.0.0.1:18081/rest/3/artifacts/abc"
    requests_mock.get(
        f"{BASE}/rest/3/artifacts/abc", status_code=302, headers={"Location": location}
    )
    other = requests_mock.get(
        re.compile(r"http://127\.0\.0\.9:18998/.*"), json=artifact_json("abc")
    )
    with pytest.raises(ApiError) as info:
        make_client(base=BASE).get_artifact("abc")
    assert "another origin http://127.0.0.9:18998" in info.value.message
    assert not other.called and requests_mock.call_count == 1


def test_a_next_page_link_through_a_parser_difference_is_refused(requests_mock: Any) -> None:
    page = f"{BASE}/rest/3/app-software/s1/versions?limit=50"
    bad = "http://127.0.0.9:18998\\@127.0.0.1:18081/rest/3/app-software/s1/versions?c=2"
    requests_mock.get(page, json={"versions": [], "_links": {"next": {"href": bad}}})
    with pytest.raises(ApiError, match=r"another origin http://127\.0\.0\.9:18998"):
        make_client(base=BASE).list_versions("s1")
    assert requests_mock.call_count == 1


@pytest.mark.parametrize(
    "base",
    [
        "http://evil.example\\@127.0.0.1:18081",
        "http://127.0.0.1\t:18081",
        "http://127.0.0.1 :18081",
        "http://127.0.0.1:18081/a\x1bb",
    ],
)
def test_a_base_url_parsers_disagree_on_is_refused(base: str) -> None:
    with pytest.raises(UsageError, match="base-url contains"):
        MarketplaceClient(base, credentials=CREDS)
