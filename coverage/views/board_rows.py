"""The board's rows, rendered here rather than by the template engine.

A page of 500 tickets cost ~1,900 ``{% url %}`` reversals, a ``{% times %}`` tag and
a handful of filters per row, and some 17,000 variable lookups (about 35 a row,
each through Django's resolver, autoescape and lazy-string wrappers): most of the
page's time. Here each URL name is reversed once per page and filled in per row by
string substitution (public ids are URL-safe), and a row's HTML is one f-string with
every value escaped (``html.escape``, exactly what Django's autoescape applies). The
markup is the one the template had; ``board.html`` prints ``row.html``.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from coverage.selectors.tickets import LINE_SHORT, Ticket
from coverage.templatetags.dispatch import line_label
from coverage.views import formatting

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
    premium: str
    certificates: tuple[CertificateLink, ...]


def _e(value: object) -> str:
    return escape(str(value))


def _row_html(row: Row, *, show_platform: bool) -> SafeString:
    t = row.ticket
    a = t.assignment
    c, j = a.contractor, a.job
    pid = _e(a.public_id)
    status = _e(t.status)
    platform = (
        f'<td data-label="Platform">{_e(a.platform.name)}</td>' if show_platform else ""
    )
    locality = f" · {_e(j.address_locality)}" if j.address_locality else ""
    trade = _e(
        j.category_code.name if j.category_code and j.category_code.name else "No trade"
    )
    codes = ""
    if t.class_codes:
        codes = (
            '<div class="small">'
            + "".join(
                f'<span class="class-code" title="{_e(x.label)} in {_e(x.state)}">'
                f"{_e(x.short)} {_e(x.state)} {_e(x.class_code)}</span>"
                for x in t.class_codes
            )
            + "</div>"
        )
    chips = "".join(
        f'<span class="chip chip-{_e(x.status)}" title="{_e(x.label)}: '
        f'{_e(x.status_label.lower())}">{_e(x.short)} {_e(x.status_label.lower())}</span>'
        for x in t.lines
    )
    note = (
        f'<p class="note" data-testid="ticket-note">{_e(t.note)}</p>' if t.note else ""
    )
    reason = (
        f'<p class="reason" data-testid="ticket-reason">{_e(t.reason)}</p>'
        if t.reason
        else ""
    )
    certificates = (
        "".join(
            f'<a class="cert-link" href="{_e(x.url)}" title="{_e(x.title)}" '
            f'data-testid="certificate-link">{_e(x.short)} <span class="visually-hidden">'
            f"certificate {_e(x.number)}</span></a>"
            for x in row.certificates
        )
        or '<span class="muted small">None</span>'
    )
    changed = " is-changed" if t.changed else ""
    return mark_safe(  # noqa: S308  every value above is escaped
        f'<tr id="row-{pid}" class="ticket-row status-{status}{changed}" '
        f'data-testid="ticket-row" data-ticket="{pid}" data-status="{status}">'
        f"{platform}"
        f'<td class="when" data-label="When"><a id="open-{pid}" '
        f'href="{_e(row.detail_url)}" class="strong">{_e(row.when)}</a>'
        f'<div class="small muted"><code>{pid}</code></div></td>'
        f'<td data-label="Tech"><a href="{_e(row.tech_url)}">{_e(c.legal_name)}</a></td>'
        f'<td data-label="Customer and site">{_e(j.entity.name)}'
        f'<div class="small muted">{_e(j.name)}{locality}</div></td>'
        f'<td data-label="State"><span class="state-code">'
        f"{_e(j.address_region or '—')}</span></td>"
        f'<td class="col-trade">{trade}{codes}</td>'
        f'<td class="coverage" data-label="Coverage"><div class="chips">{chips}</div>'
        f"{note}{reason}</td>"
        f'<td class="num" data-label="Premium" data-testid="ticket-premium">'
        f"{_e(row.premium)}</td>"
        f'<td class="certs" data-label="Certificates">{certificates}</td></tr>'
    )


def rows(tickets: list[Ticket], *, show_platform: bool = False) -> list[SafeString]:
    """Each ticket's ``<tr>``, ready for the template to print."""
    return [_row_html(r, show_platform=show_platform) for r in _rows(tickets)]


def _rows(tickets: list[Ticket]) -> list[Row]:
    url = _Reverser()
    found = []
    for t in tickets:
        a = t.assignment
        found.append(
            Row(
                ticket=t,
                detail_url=url("coverage:ticket_detail", a.public_id),
                tech_url=url("coverage:contractor_detail", a.contractor.public_id),
                when=formatting.times(a.effective_at, a.job_end_at),
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
    return found
