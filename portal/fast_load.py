"""Loading rows into model instances without ``Model.__init__`` (issue 15).

A board page of 100 tickets loads some 650 instances (each ticket with its tech, job,
customer, trade, platform, policy, certificates and opt-ins) and an API page of 100
assignments some 400. ``Model.__init__`` walks every field of every instance
through ``setattr`` (a foreign key's descriptor compares and clears a cache on each)
and sends two signals: a fifth of the board's page read and a tenth of the API list.

``from_db`` is the hook Django documents for customising how an instance is made
from a row. Here it puts the row's values straight into ``__dict__``, which is
where ``__init__`` ends up putting them (a deferred field stays absent, so it still
loads on first access, and ``get_deferred_fields`` reports it), and sets the state a
loaded instance has. What it skips: the ``pre_init``/``post_init`` signals, which
nothing connects for these models (``tests/portal/test_fast_load.py`` checks; an
``ImageField`` with dimension fields would); and the descriptors' ``__set__`` on a
fresh instance, whose caches are empty.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Self

from django.db import models
from django.db.models.base import ModelState


class FastLoad(models.Model):
    """A model whose rows load without ``__init__`` (see the module's docstring)."""

    class Meta:
        abstract = True

    @classmethod
    def from_db(
        cls, db: str | None, field_names: Collection[str], values: Collection[Any]
    ) -> Self:
        new = cls.__new__(cls)
        new.__dict__.update(zip(field_names, values, strict=True))
        state = new._state = ModelState()
        state.adding = False
        state.db = db
        return new
