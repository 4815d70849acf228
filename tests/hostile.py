"""Hostile payloads shared by the unit and integration tests: one copy of each.

Tokens as a CI secret may hold them (surrounding whitespace, a colon, line breaks,
header injection, control and non-ASCII characters) and an XML entity-expansion bomb
for ``atlassian-plugin.xml``. Tests decide what each must lead to; this module only
holds the values."""

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
