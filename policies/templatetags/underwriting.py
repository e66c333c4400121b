"""Display helpers for the underwriter workspace: lines, shares, money, state chips."""

from __future__ import annotations

from decimal import Decimal

from django import template

from policies.lines import CoverageType
from policies.models import PolicyStatus, TransactionStatus
from policies.services.drafts import percent_text
from portal.money import amount_text

register = template.Library()

STATUS_CHIPS: dict[str, str] = {  # keyed by the stored status
    PolicyStatus.ACTIVE: "chip-ok",
    PolicyStatus.CANCELLED: "chip-bad",
    PolicyStatus.EXPIRED: "chip-neutral",
    TransactionStatus.DRAFT: "chip-pending",
    TransactionStatus.QUOTED: "chip-info",
    TransactionStatus.BOUND: "chip-ok",
    TransactionStatus.WITHDRAWN: "chip-neutral",
}


@register.filter
def line_label(code: str) -> str:
    return CoverageType(code).label if code in CoverageType.values else code


@register.filter
def status_chip(status: str) -> str:
    return STATUS_CHIPS.get(status, "chip-neutral")


@register.filter
def pct(value: Decimal | None) -> str:
    """A share as people write it: 50 %, 12.5 %."""
    return "" if value is None else f"{percent_text(value)} %"


@register.filter
def money(value: Decimal | None, currency: str = "usd") -> str:
    """The portal's one way of writing money (portal.money): "$5,721.13"."""
    if value is None:
        return ""
    return amount_text(value, currency)


@register.filter
def svgnum(value: Decimal | None) -> str:
    """A share as an SVG length: never negative, plain decimal notation."""
    if value is None or value < 0:
        return "0"
    return f"{value.normalize():f}"
