"""The board's rows as the template prints them: every link and figure computed here.

A page of 500 tickets used to cost ~1,900 ``{% url %}`` reversals, a ``{% times %}``
tag and a handful of filters per row, and tens of thousands of variable lookups
through six model instances. Here each URL name is reversed once per page and
filled in per row by string substitution (public ids are URL-safe), and the
row's texts are formatted once, so the template reads flat attributes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.urls import reverse
from django.utils import timezone

from coverage.selectors.tickets import LINE_SHORT, Ticket
from coverage.templatetags.dispatch import line_label
from coverage.views import formatting
from coverage.views.board_html import row_html

# A value every URL converter involved accepts (``pid``, ``str``) and no real id has.
_SLOT = "zzzz_0SLOT0"


class _Reverser:
    """``reverse(name, args=[value])`` with one real reversal per name."""

    def __init__(self) -> None:
        self._patterns: dict[str, tuple[str, str]] = {}

    def __call__(self, name: str, value: str) -> str:
        found = self._patterns.get(name)
        if found is None:
            url = reverse(name, args=[_SLOT])
            head, _, tail = url.partition(_SLOT)
            found = self._patterns[name] = (head, tail)
        return f"{found[0]}{value}{found[1]}"


@dataclass(frozen=True)
class CertificateLink:
    url: str
    title: str
    short: str
    number: str


@dataclass(frozen=True)
class Row:
    ticket: Ticket
    detail_url: str
    tech_url: str
    when: str
    # The zone the times read in (the dispatcher's): "EDT".
    zone: str
    premium: str
    certificates: tuple[CertificateLink, ...]
    html: str = ""  # the row as the board prints it (board_html.row_html)


def rows(tickets: list[Ticket], *, show_platform: bool, columns: int) -> list[Row]:
    url = _Reverser()
    # The request's zone, looked up once for the page instead of three times a row.
    zone = timezone.get_current_timezone()
    found = []
    for t in tickets:
        a = t.assignment
        found.append(
            Row(
                ticket=t,
                detail_url=url("coverage:ticket_detail", a.public_id),
                tech_url=url("coverage:contractor_detail", a.contractor.public_id),
                when=formatting.times(a.effective_at, a.job_end_at, zone),
                zone=formatting.zone_label(a.effective_at, zone),
                premium=formatting.money(a.premium),
                certificates=tuple(
                    CertificateLink(
                        url=url("coverage:certificate_download", c.number),
                        title=f"{line_label(c.line)} certificate {c.number} (PDF)",
                        short=LINE_SHORT.get(c.line, c.line),
                        number=c.number,
                    )
                    for c in t.certificates
                ),
            )
        )
    return [
        replace(row, html=row_html(row, show_platform=show_platform, columns=columns))
        for row in found
    ]
