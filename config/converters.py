"""Path converters: an id in a URL is what Harbor issues, or the URL does not resolve.

Report, referral, attachment and key ids are lowercase hex (``secrets.token_hex``). Matching
them in the resolver means a path holding anything else (a NUL byte, a right-to-left
override, a 10 kB string) is a plain 404 before any view or query runs. PostgreSQL refuses a
NUL byte in a text parameter, so without this a hostile id reached the database as an error
(the fuzzing in tests/test_fuzz_endpoints.py found it).
"""

from __future__ import annotations

from django.urls import register_converter


class HexIdConverter:
    regex = "[0-9a-f]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(HexIdConverter, "hexid")


class InviteTokenConverter:
    """An invitation token's alphabet (URL-safe base 64); its length is checked by the view, kindly."""

    regex = "[A-Za-z0-9_-]{1,128}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(InviteTokenConverter, "invitetoken")
