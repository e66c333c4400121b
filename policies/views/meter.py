"""The share meter: our share plus every party's share, against 100 percent, and the
views that serve it to the coinsurance page.

It is computed on the server (an HTMX request as the underwriter types) with the
services' own rule — ``share_total`` and ``share_refusal`` — so the meter turns red
exactly when the write would be refused, with the refusal's words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from policies import services
from policies.access import get_transaction, underwriter_required
from policies.selectors.coinsurance import agreements_of
from policies.services.coinsurance import share_total
from portal.http import PortalRequest

NOT_A_NUMBER = "Type a share as a number, such as 12.5."
PARTY_COLOURS = 4


@dataclass(frozen=True)
class Segment:
    label: str
    share: Decimal
    css: str
    x: Decimal = Decimal(0)


@dataclass
class ShareMeter:
    segments: list[Segment] = field(default_factory=list)
    total: Decimal | None = None
    refusal: str | None = None
    invalid: str = ""

    @property
    def width(self) -> Decimal:
        """The drawing's width in percent: 100, or the total when it goes beyond."""
        return max(Decimal(100), self.total or Decimal(0))

    @property
    def remaining(self) -> Decimal:
        return max(Decimal(0), Decimal(100) - (self.total or Decimal(0)))

    @property
    def over(self) -> bool:
        return self.refusal is not None


def parse_share(text: str | None) -> Decimal | None:
    """A typed share, or None when nothing is typed; ValueError when not a number."""
    text = (text or "").strip().rstrip("%").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    # Beyond these a number is no share; drawing or printing it in full could take
    # megabytes (1e999999 is a valid Decimal).
    if not value.is_finite() or (value and not -10 <= value.adjusted() <= 6):
        raise ValueError(text)
    return value


def build_meter(
    *,
    our_share: Decimal,
    parties: Sequence[tuple[str, Decimal]],
    new_share: Decimal | None = None,
) -> ShareMeter:
    """Segments left to right: ours, each party, the party being added."""
    pieces = [("Our share", our_share, "seg-ours")]
    pieces += [
        (label, share, f"seg-party-{i % PARTY_COLOURS}")
        for i, (label, share) in enumerate(parties)
    ]
    if new_share is not None:
        pieces.append(("New party", new_share, "seg-new"))
    segments = []
    x = Decimal(0)
    for label, share, css in pieces:
        visible = max(share, Decimal(0))
        segments.append(Segment(label, share, css, x))
        x += visible
    total = share_total(our_share, [share for _, share, _ in pieces[1:]])
    return ShareMeter(
        segments=segments, total=total, refusal=services.share_refusal(total)
    )


def invalid_meter() -> ShareMeter:
    return ShareMeter(invalid=NOT_A_NUMBER)


# ---------------------------------------------------------------------------
# Served: the meter as the underwriter types (reads only)


@underwriter_required
@require_GET
def agreement_meter(
    request: PortalRequest, transaction_id: str, number: int
) -> HttpResponse:
    """The meter as it would stand with what is typed: ``as`` says which form asks —
    ``terms`` (our share), ``new`` (a party being added) or ``party-<n>`` (a party's
    new share)."""
    txn = get_transaction(transaction_id)
    view = next(
        (v for v in agreements_of(txn.pk) if v.agreement.number == number), None
    )
    if view is None:
        raise Http404
    asking = request.GET.get("as", "")
    our_share = view.agreement.our_share
    parties = [(p.producer_code.organization.name, p.share) for p in view.parties]
    new_share = None
    try:
        if asking == "terms":
            our_share = parse_share(request.GET.get("our_share")) or Decimal(0)
        elif asking == "new":
            new_share = parse_share(request.GET.get("share"))
        elif asking.startswith("party-"):
            edited = asking.removeprefix("party-")
            typed = parse_share(request.GET.get("share")) or Decimal(0)
            parties = [
                (label, typed if str(p.number) == edited else share)
                for p, (label, share) in zip(view.parties, parties, strict=True)
            ]
    except ValueError:
        meter = invalid_meter()
    else:
        meter = build_meter(our_share=our_share, parties=parties, new_share=new_share)
    return render(
        request,
        "policies/coinsurance.html#share-meter",
        {"meter": meter, "meter_id": f"meter-{number}"},
    )


@underwriter_required
@require_GET
def new_agreement_meter(request: PortalRequest, transaction_id: str) -> HttpResponse:
    get_transaction(transaction_id)
    try:
        our_share = parse_share(request.GET.get("our_share")) or Decimal(0)
    except ValueError:
        meter = invalid_meter()
    else:
        meter = build_meter(our_share=our_share, parties=[])
    return render(
        request,
        "policies/coinsurance.html#share-meter",
        {"meter": meter, "meter_id": "meter-new"},
    )
