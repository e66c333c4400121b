"""A board row's HTML, written in Python: the hot partial of the ticket board.

A page of 500 tickets rendered its rows through Django's template engine at some
sixty nodes a row (variable lookups through the ticket, its assignment and four
related models, filters, nested ``with`` and ``for`` blocks): most of the page's
time, several times what the bare 500-row template costs. The row's markup is small
and fixed, so it is written here once, as the template wrote it (every value
escaped as autoescaping escapes it: ``django.utils.html.escape``), and the
template prints it whole; the filter pickers' options (a tech and a customer per
ticket of the day, sent along with every table swap) likewise. Byte for byte the
template's former output (the board's tests and browser tests read it).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape as _escape
from typing import TYPE_CHECKING, Any

from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from coverage.views.board_rows import Row


def esc(value: Any) -> str:
    """What ``{{ value }}`` prints with autoescaping on."""
    if type(value) is str:
        # Most of a row's values (ids, statuses, times, names) have nothing to
        # escape: five membership tests cost a third of html.escape's five replaces.
        if "&" in value or "<" in value or ">" in value or '"' in value or "'" in value:
            return _escape(value)
        return value
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return _escape(str(value))


def _chips(t: Any) -> str:
    parts = []
    for c in t.lines:
        if c.own_certificate:
            said = f"the tech's own certificate {esc(c.own_certificate)}"
        else:
            said = esc(str(c.status_label).lower())
        parts.append(
            f'<span class="chip chip-{esc(c.status)}" title="{esc(c.label)}: {said}">'
            f"{esc(c.text)}</span>"
        )
        if c.warning:
            parts.append(
                '<span class="chip chip-pending" role="status" '
                f'data-testid="own-lapses">{esc(c.warning)}</span>'
            )
    if t.charge_pending:
        parts.append(
            '<span class="chip chip-pending" data-testid="charge-pending" '
            'title="Covered once the card is charged">Charge pending</span>'
        )
    return "".join(parts)


def _class_codes(t: Any) -> str:
    codes = t.class_codes
    if not codes:
        return ""
    inner = "".join(
        f'<span class="class-code" title="{esc(c.label)} in {esc(c.state)}">'
        f"{esc(c.short)} {esc(c.state)} {esc(c.class_code)}</span>"
        for c in codes
    )
    return f'<div class="small">{inner}</div>'


def _certificates(r: Row) -> str:
    if not r.certificates:
        return '<span class="muted small">None</span>\n                '
    return "".join(
        f'\n                  <a class="cert-link" href="{esc(c.url)}" '
        f'title="{esc(c.title)}" data-testid="certificate-link">{esc(c.short)} '
        f'<span class="visually-hidden">certificate {esc(c.number)}</span></a>\n'
        "                "
        for c in r.certificates
    )


def row_html(r: Row, *, show_platform: bool, columns: int) -> SafeString:
    """The row (and its crew heading, on a crew's first row) as the board prints it."""
    t = r.ticket
    a = t.assignment
    job = a.job
    public_id = esc(a.public_id)
    out = ["\n            "]
    crew = t.crew
    if t.crew_lead and crew is not None:
        covered = crew.covered
        size = crew.size
        colspan = columns + 2 if show_platform else columns + 1
        chip = "chip-covered" if covered == size else "chip-not_covered"
        out.append(
            "\n              \n"
            f'              <tr class="crew-row" data-testid="crew-row" '
            f'data-job="{esc(job.public_id)}" data-crew-size="{size}">\n'
            f'                <th scope="rowgroup" colspan="{colspan}">Crew of {size} · '
            f"{esc(job.entity.name)}, {esc(job.name)} "
            f'<span class="chip {chip}" data-testid="crew-covered">{covered} of {size} '
            "covered</span></th>\n"
            "              </tr>\n            "
        )
    classes = f"ticket-row status-{esc(t.status)}"
    if crew:
        classes += " crew-member"
    if t.changed:
        classes += " is-changed"
    crew_attr = f' data-crew="{esc(job.public_id)}"' if crew else ""
    out.append(
        f'\n            <tr id="row-{public_id}" class="{classes}" '
        f'data-testid="ticket-row" data-ticket="{public_id}" '
        f'data-status="{esc(t.status)}"{crew_attr}>\n              '
    )
    if show_platform:
        out.append(f'<td data-label="Platform">{esc(a.platform.name)}</td>')
    locality = f" · {esc(job.address_locality)}" if job.address_locality else ""
    trade = job.category_code.name if job.category_code else ""
    note = t.note
    reason = t.reason
    out.append(
        '\n              <td class="when" data-label="When">\n'
        f'                <a id="open-{public_id}" href="{esc(r.detail_url)}" '
        f'class="strong">{esc(r.when)} <span class="zone">{esc(r.zone)}</span></a>\n'
        f'                <div class="small muted"><code>{public_id}</code></div>\n'
        "              </td>\n"
        f'              <td data-label="Tech"><a href="{esc(r.tech_url)}">'
        f"{esc(a.contractor.legal_name)}</a></td>\n"
        f'              <td data-label="Customer and site">{esc(job.entity.name)}'
        f'<div class="small muted">{esc(job.name)}{locality}</div></td>\n'
        '              <td data-label="State"><span class="state-code">'
        f"{esc(job.address_region or '—')}</span></td>\n"
        f'              <td class="col-trade">{esc(trade or "No trade")}\n'
        f"                {_class_codes(t)}\n"
        "              </td>\n"
        '              <td class="coverage" data-label="Coverage">\n'
        f'                <div class="chips">{_chips(t)}</div>\n'
        "                "
        + (f'<p class="note" data-testid="ticket-note">{esc(note)}</p>' if note else "")
        + "\n                "
        + (
            f'<p class="reason" data-testid="ticket-reason">{esc(reason)}</p>'
            if reason
            else ""
        )
        + "\n              </td>\n"
        '              <td class="num" data-label="Premium" '
        f'data-testid="ticket-premium">{esc(r.premium)}</td>\n'
        '              <td class="certs" data-label="Certificates">\n'
        f"                {_certificates(r)}\n"
        "              </td>\n"
        "            </tr>\n          "
    )
    return mark_safe("".join(out))  # noqa: S308  # every value above is escaped


def options_html(options: Iterable[Any], *, selected: str) -> SafeString:
    """A picker's ``<option>`` list after its "All ..." entry, as the template wrote it."""
    return mark_safe(  # noqa: S308  # every value is escaped
        "".join(
            f'<option value="{esc(o.value)}"'
            f"{' selected' if o.value == selected else ''}>{esc(o.label)}</option>"
            for o in options
        )
    )
