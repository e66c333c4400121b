"""The insured account and its category code, as policy administration sees them.

Both live on the contractor side (``coverage.Contractor``, ``coverage.CategoryCode``);
policies names them by string foreign keys only and imports nothing from coverage.
Code that needs the model classes at run time reaches them through those relations,
and types them with the Protocols below: the attributes policies reads.
"""

from __future__ import annotations

from typing import Any, Protocol, cast

from portal.models import Platform

from .policies import Policy


class Account(Protocol):
    """The insured account (a contractor): what policies reads of it."""

    pk: Any
    public_id: str
    platform_id: int
    platform: Platform
    first_name: str
    last_name: str
    company_name: str
    email: str
    phone: str

    @property
    def legal_name(self) -> str: ...


class AccountCategory(Protocol):
    """A contractor category code: what policies reads of it."""

    pk: Any
    public_id: str
    name: str


def account_model() -> Any:
    """The account model class (``Policy.contractor``'s target), for queries."""
    return cast(Any, Policy._meta.get_field("contractor").related_model)


def category_code_model() -> Any:
    """The category code model class (``Policy.category_code``'s target), for queries."""
    return cast(Any, Policy._meta.get_field("category_code").related_model)
