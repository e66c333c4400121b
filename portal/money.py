"""Money as every screen writes it: "$5,721.13", "−$2.75", "1,200.00 EUR".

Both apps print amounts through this one function, so a dispatcher and an underwriter
never see the same sum written two ways.
"""

from __future__ import annotations

from decimal import Decimal

MINUS = "\u2212"  # a real minus sign: a hyphen next to "$" reads as a dash
SYMBOLS = {"usd": "$"}


def amount_text(value: Decimal, currency: str = "usd") -> str:
    """An amount in ``currency``: its symbol when it has one here, else its ISO code after."""
    code = (currency or "usd").lower()
    sign = MINUS if value < 0 else ""
    digits = f"{abs(value):,.2f}"
    symbol = SYMBOLS.get(code)
    if symbol:
        return f"{sign}{symbol}{digits}"
    return f"{sign}{digits} {code.upper()}"
