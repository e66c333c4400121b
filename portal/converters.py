"""One path converter for public ids (``cn_8fK2…``, ``pl_…``, ``pc:…``), registered
once for every app's URLs as ``<pid:name>``.

Anything that cannot be an id (a NUL, which PostgreSQL cannot compare; a quote; a
slash) does not match, so it is a 404 at routing rather than a database error.
"""

from __future__ import annotations

from django.urls import register_converter


class PublicIdConverter:
    regex = r"[a-z]{2,4}[_:][0-9A-Za-z]{1,40}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


# Registered when the root URLconf imports this module, before any app's URLs load.
register_converter(PublicIdConverter, "pid")
