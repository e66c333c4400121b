"""Premium for a period: breakdowns reconciled to the ledger to the cent, chart, CSV."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client

from coverage.forms import PERIOD_BACKWARDS, PERIOD_TOO_LONG
from coverage.models import CategoryCode, Contractor, LedgerEntry, WorkJob
from coverage.selectors import premium
from coverage.services import cancel_assignment, ledger, update_job
from coverage.views.premium import NOT_RECONCILED
from portal.models import Platform, User
from tests.coverage.helpers import approved_janitorial, make_entity, make_job
from tests.coverage.portal_helpers import HTMX, opted_in, ticket, tomorrow
from tests.policies.helpers import make_contractor

pytestmark = pytest.mark.django_db

PREMIUM = "/premium/"
CSV = "/premium/ledger.csv"


@pytest.fixture
def booked(
    platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    category: CategoryCode,
    product,
) -> dict[str, object]:
    """Two days of premium: a charge, an adjustment, a reversal, two states.

    Day 1: Terry's NJ ticket, $10.16, re-priced to $15.24 by a new wage (+$5.08).
    Day 2: Pat's PA ticket, $7.50; Terry's second ticket, charged $10.16 and
    cancelled (−$10.16). Total $22.74.
    """
    opted_in(contractor, category)
    pat = make_contractor(platform, email="pat@example.com", state="PA")
    pat.first_name, pat.last_name = "Pat", "Kowalski"
    pat.save()
    opted_in(pat, category, state="PA")
    liberty = make_entity(platform, name="Liberty Bell Offices")
    pa_job = make_job(platform, category=category, entity=liberty, state="PA")
    day1, day2 = tomorrow(), tomorrow() + timedelta(days=1)
    first = ticket(contractor, job, day=day1)
    ticket(pat, pa_job, day=day2)
    gone = ticket(contractor, job, day=day2, hour=15)
    cancel_assignment(assignment=gone, now=gone.effective_at - timedelta(hours=2))
    update_job(
        job=job, data={"wage": 30_000}, now=first.effective_at - timedelta(hours=1)
    )
    return {"day1": day1, "day2": day2, "pat": pat, "liberty": liberty, "first": first}


def period(booked: dict[str, object]) -> dict[str, str]:
    return {"start": booked["day1"].isoformat(), "end": booked["day2"].isoformat()}


def rows_of(page: str, name: str) -> list[tuple[str, str]]:
    """(label, premium) of each row of the "by ``name``" table."""
    table = re.search(rf'data-testid="by-{name}".*?<tbody>(.*?)</tbody>', page, re.S)
    cells = re.findall(
        r"<tr><td>(.*?)</td><td[^>]*>\d+</td><td[^>]*>([^<]+)</td></tr>", table.group(1)
    )
    return [
        (html.unescape(re.sub(r"<[^>]+>", "", label)), amount)
        for label, amount in cells
    ]


def test_totals_by_day_customer_tech_and_state_reconcile_to_the_cent(
    dispatcher: User, platform: Platform, booked, client_as
) -> None:
    response = client_as(dispatcher).get(PREMIUM, period(booked))
    page = response.content.decode()
    assert 'data-testid="premium-total">$22.74<' in page
    assert 'data-testid="reconciled"' in page
    day1, day2 = booked["day1"], booked["day2"]
    assert rows_of(page, "day") == [
        (f"{day1:%a %b} {day1.day}", "$15.24"),
        (f"{day2:%a %b} {day2.day}", "$7.50"),
    ]
    assert rows_of(page, "customer") == [
        ("Harbor Property Group", "$15.24"),
        ("Liberty Bell Offices", "$7.50"),
    ]
    assert rows_of(page, "tech") == [
        ("Terry Tech", "$15.24"),
        ("Pat Kowalski", "$7.50"),
    ]
    assert rows_of(page, "state") == [
        ("NJ · New Jersey", "$15.24"),
        ("PA · Pennsylvania", "$7.50"),
    ]
    # The same SUM every other total uses.
    assert ledger.total(platform=platform, start=day1, end=day2) == 2274


def test_charges_adjustments_and_reversals_add_up(platform: Platform, booked) -> None:
    report = premium.premium_report(
        platform=platform, start=booked["day1"], end=booked["day2"]
    )
    kinds = {row.key: (row.amount, row.entries) for row in report.by_kind}
    assert kinds == {
        "charge": (2782, 6),
        "adjustment": (508, 2),
        "audit": (0, 0),
        "reversal": (-1016, 2),
    }
    assert report.total == 2274 and report.entries == 10
    assert report.reconciled


def test_a_report_that_does_not_add_up_says_so(platform: Platform, booked) -> None:
    report = premium.premium_report(
        platform=platform, start=booked["day1"], end=booked["day2"]
    )
    broken = premium.PremiumReport(**{**report.__dict__, "total": report.total + 1})
    assert not broken.reconciled


def test_the_chart_is_drawn_on_the_server(dispatcher: User, booked, client_as) -> None:
    page = client_as(dispatcher).get(PREMIUM, period(booked)).content.decode()
    svg = re.search(
        r'<svg [^>]*data-testid="premium-chart".*?</svg>', page, re.S
    ).group(0)
    assert len(re.findall(r'<rect class="bar"', svg)) == 2
    assert "$15.24" in svg and "$7.50" in svg
    assert "<script" not in svg


def test_csv_lists_the_ledger_lines_summed_on_the_page(
    dispatcher: User, booked, client_as
) -> None:
    response = client_as(dispatcher).get(CSV, period(booked))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="premium-')
    lines = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    )
    assert len(lines) == LedgerEntry.objects.count() == 10
    assert sum(int(line["amount_cents"]) for line in lines) == 2274
    first = booked["first"]
    wc_charge = next(
        line
        for line in lines
        if line["ticket"] == first.public_id
        and line["kind"] == "charge"
        and line["line"] == "WC"
    )
    assert wc_charge == {
        **wc_charge,
        "amount": "8.26",
        "amount_cents": "826",
        "tech": "Terry Tech",
        "customer": "Harbor Property Group",
        "state": "NJ",
        "class_code": "9410",
        "books_on": booked["day1"].isoformat(),
    }


def test_csv_cells_never_run_as_spreadsheet_formulas(
    dispatcher: User, booked, client_as
) -> None:
    liberty = booked["liberty"]
    liberty.name = '=HYPERLINK("http://evil.example")'
    liberty.save()
    body = b"".join(client_as(dispatcher).get(CSV, period(booked)).streaming_content)
    assert b"'=HYPERLINK" in body
    assert b",=HYPERLINK" not in body and b',"=HYPERLINK' not in body


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-06-10", "end": "2026-06-01"}, PERIOD_BACKWARDS),
        ({"start": "2025-01-01", "end": "2026-06-01"}, PERIOD_TOO_LONG),
        ({"start": "soon"}, "Enter the day as a date, e.g. 2026-06-01."),
    ],
)
def test_a_bad_period_is_said_in_words_and_this_month_shown(
    dispatcher: User, client_as, params: dict[str, str], message: str
) -> None:
    response = client_as(dispatcher).get(PREMIUM, params)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "Showing this month instead." in page


def test_a_dispatcher_sees_their_platforms_premium_only(
    dispatcher: User, outsider: User, other_platform: Platform, booked, client_as
) -> None:
    mine = client_as(dispatcher).get(
        PREMIUM, {**period(booked), "platform": other_platform.public_id}
    )
    assert 'data-testid="premium-total">$22.74<' in mine.content.decode()
    theirs = client_as(outsider).get(PREMIUM, period(booked)).content.decode()
    assert 'data-testid="premium-total">$0.00<' in theirs
    assert "Terry Tech" not in theirs
    body = b"".join(client_as(outsider).get(CSV, period(booked)).streaming_content)
    assert body.decode().count("\n") == 1  # the header alone


def test_an_underwriter_picks_a_platform(
    underwriter: User,
    platform: Platform,
    other_platform: Platform,
    booked,
    client_as,
    product,
) -> None:
    rival = make_contractor(other_platform, email="rival@example.com")
    opted_in(rival, approved_janitorial(other_platform))
    ticket(
        rival,
        make_job(other_platform, category=approved_janitorial(other_platform)),
        day=booked["day1"],
    )
    client = client_as(underwriter)
    ours = client.get(PREMIUM, {**period(booked), "platform": platform.public_id})
    assert 'data-testid="premium-total">$22.74<' in ours.content.decode()
    theirs = client.get(
        PREMIUM, {**period(booked), "platform": other_platform.public_id}
    )
    assert 'data-testid="premium-total">$10.16<' in theirs.content.decode()


def test_htmx_swaps_the_report_only(dispatcher: User, booked, client_as) -> None:
    page = (
        client_as(dispatcher)
        .get(PREMIUM, period(booked), headers=HTMX)
        .content.decode()
    )
    assert page.lstrip().startswith('<section id="premium-report"')
    assert "<html" not in page


def test_who_may_see_premium(support: User, client_as) -> None:
    assert client_as(support).get(PREMIUM).status_code == 403
    assert client_as(support).get(CSV).status_code == 403
    assert Client().get(PREMIUM)["Location"].startswith("/login/")


def test_a_ledger_row_corrupted_in_the_database_is_named(
    platform: Platform, booked, dispatcher: User, client_as
) -> None:
    """The reconciliation recomputes each ticket's premium from the ticket (rate × pay),
    so a row changed behind the services' back is caught and the ticket named."""
    first = booked["first"]
    clean = client_as(dispatcher).get(PREMIUM, period(booked)).content.decode()
    assert 'data-testid="reconciled"' in clean
    row = LedgerEntry.objects.filter(assignment=first, kind="charge").first()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {LedgerEntry._meta.db_table} SET amount = amount + 7 WHERE id = %s",
            [row.pk],
        )

    report = premium.premium_report(
        platform=platform, start=booked["day1"], end=booked["day2"]
    )
    # The breakdowns still add up (they sum the same corrupted rows); the ticket does not.
    assert all(
        sum(r.amount for r in rows) == report.total for _, rows in report.breakdowns()
    )
    assert not report.reconciled
    assert [(d.assignment, d.expected, d.booked) for d in report.differences] == [
        (first.public_id, 1524, 1531)
    ]
    page = client_as(dispatcher).get(PREMIUM, period(booked)).content.decode()
    assert NOT_RECONCILED in html.unescape(page)
    assert page.count('data-testid="reconciliation-difference"') == 1
    assert first.public_id in page
