from __future__ import annotations

import re

from portal.ids import PublicIdField, new_public_id


def test_ids_are_prefixed_base62() -> None:
    assert re.fullmatch(r"cn_[0-9A-Za-z]{10}", new_public_id("cn"))
    assert re.fullmatch(r"pc:[0-9A-Za-z]{16}", new_public_id("pc", 16, ":"))


def roundtrip(field: PublicIdField) -> PublicIdField:
    _, _, args, kwargs = field.deconstruct()
    return PublicIdField(*args, **kwargs)


def test_deconstruct_keeps_every_setting() -> None:
    default = roundtrip(PublicIdField(prefix="cn"))
    assert (default.unique, default.editable, default.blank, default.max_length) == (
        True,
        False,
        True,
        13,
    )
    custom = roundtrip(
        PublicIdField(
            prefix="pc",
            length=16,
            separator=":",
            unique=False,
            editable=True,
            blank=False,
        )
    )
    assert (custom.unique, custom.editable, custom.blank) == (False, True, False)
    assert (custom.prefix, custom.length, custom.separator, custom.max_length) == (
        "pc",
        16,
        ":",
        19,
    )
