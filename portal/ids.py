"""Public ids: a short type prefix plus random base-62, e.g. ``cn_8fK2mQ0aZx``.

The integer primary key stays internal; the public id is what URLs and the APIs
show, kept in its own indexed unique column.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from django.db import models

BASE62 = string.digits + string.ascii_letters


def random_base62(length: int) -> str:
    return "".join(secrets.choice(BASE62) for _ in range(length))


def new_public_id(prefix: str, length: int = 10, separator: str = "_") -> str:
    return f"{prefix}{separator}{random_base62(length)}"


class PublicIdField(models.CharField):
    """A unique, indexed ``prefix_XXXXXXXXXX`` id, filled in on first save.

    The policy-administration API writes its ids as ``pc:XXXX``: pass ``separator=":"``.
    """

    def __init__(
        self,
        *args: Any,
        prefix: str,
        length: int = 10,
        separator: str = "_",
        **kwargs: Any,
    ) -> None:
        self.prefix = prefix
        self.length = length
        self.separator = separator
        kwargs.setdefault("max_length", len(prefix) + 1 + length)
        kwargs.setdefault("unique", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["prefix"] = self.prefix
        if self.length != 10:
            kwargs["length"] = self.length
        if self.separator != "_":
            kwargs["separator"] = self.separator
        # Our defaults differ from CharField's, so state every value that is not ours
        # (a migration must not turn unique=False back into unique=True).
        for key, ours in (("unique", True), ("editable", False), ("blank", True)):
            value = getattr(self, "_unique" if key == "unique" else key)
            if value == ours:
                kwargs.pop(key, None)
            else:
                kwargs[key] = value
        if kwargs.get("max_length") == len(self.prefix) + 1 + self.length:
            kwargs.pop("max_length")
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = getattr(model_instance, self.attname)
        if not value:
            value = new_public_id(self.prefix, self.length, self.separator)
            setattr(model_instance, self.attname, value)
        return value
