"""Hostile payloads shared by the unit and integration tests: one copy of each.

Tokens as a CI secret may hold them (surrounding whitespace, a colon, line breaks,
header injection, control and non-ASCII characters), an XML entity-expansion bomb for
``atlassian-plugin.xml``, and the HTML pages proxies answer with instead of JSON.
Tests decide what each must lead to; this module only holds the values."""

from __future__ import annotations

#: A well-formed token; the whitespace variants below trim to exactly this.
SECRET = "mpTk-7f3a9c2e5b8d-Q"

#: name -> the token as the CI secret holds it.
HOSTILE_TOKENS: dict[str, str] = {
    "trailing-newline": SECRET + "\n",
    "crlf": SECRET + "\r\n",
    "leading-space": " " + SECRET,
    "empty": "",
    "blank": " \n",
    "colon": "tok:en-with:colons-51f0",
    "non-ascii": "t\u00f8ken-non-ascii-51f0",
    "multi-line": "first-line-secret-1\nsecond-line-secret-2",
    # requests would raise InvalidHeader, whose message holds the value, for this one
    "header-injection": "tok-51f0\r\nX-Injected: leaked-value",
    "control": "tok-51f0\x00tail-value",
}

#: "Billion laughs": nine levels of entities, each ten of the one below (10**9 "lol"s
#: if expanded), in the app key of an atlassian-plugin.xml.
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n'
        for i in range(1, 10)
    )
    + ']>\n<atlassian-plugin key="&lol9;" name="x"/>\n'
)

#: nginx's own 413 page (CRLF line ends), as a proxy in front of the API sends it.
NGINX_413_PAGE = (
    "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n"
    "<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
#: A load balancer's 502 page.
LOAD_BALANCER_502_PAGE = (
    "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>"
    "<h1>Bad Gateway</h1><p>The proxy server received an invalid response.</p></body></html>"
)
#: An SSO login page, answered with HTTP 200 where JSON was expected.
SSO_LOGIN_PAGE = (
    "<!DOCTYPE html><html><head><title>Log in with Atlassian account</title></head>"
    "<body><form action='/login'>" + "x" * 500 + "</form></body></html>"
)
