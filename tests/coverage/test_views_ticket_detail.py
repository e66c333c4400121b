"""One ticket: everything about it, and the actions the rules allow (through the services)."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.test import Client

from coverage import certificates
from coverage.forms import BAD_MOMENT, BAD_WAGE, REASON_TOO_LONG
from coverage.models import (
    ApplicationSession,
    Assignment,
    CategoryCode,
    Certificate,
    Contractor,
    LedgerEntry,
    Quote,
    WorkJob,
)
from coverage.services import create_invoice
from coverage.services.assignments import CANCEL_AFTER_START
from coverage.services.dates import EXTEND_SHORTENS
from coverage.services.eligibility import ELIGIBLE, NO_ACTIVE_POLICY
from coverage.services.jobs import INVOICE_EXISTS, WAGE_OUT_OF_RANGE
from coverage.services.quotes import ALREADY_COVERED
from coverage.views.tickets import (
    DECIDED_COVERED,
    DECIDED_NOT_COVERED,
    OPT_IN_READY,
    TICKET_CANCELLED,
    TICKET_EXTENDED,
    WAGE_CHANGED,
)
from coverage.wording import ADVICE, WAGE_OUT_OF_RANGE_DOLLARS
from portal.models import Platform, User
from tests.coverage.portal_helpers import (
    HTMX,
    at,
    capture,
    opted_in,
    ticket,
    today,
    tomorrow,
    writes_in,
)
from tests.policies.helpers import make_contractor

pytestmark = pytest.mark.django_db


def url(assignment: Assignment, action: str = "") -> str:
    return f"/tickets/{assignment.public_id}/{action}"


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def terry(contractor: Contractor, category: CategoryCode, product) -> Contractor:
    opted_in(contractor, category)
    return contractor


@pytest.fixture
def covered(terry: Contractor, job: WorkJob) -> Assignment:
    """Tomorrow 09:00–11:00: covered, and still cancellable."""
    return ticket(terry, job, day=tomorrow(), hour=9)


@pytest.fixture
def uncovered(platform: Platform, job: WorkJob, product) -> Assignment:
    priya = make_contractor(platform, email="priya@example.com")
    return ticket(priya, job, day=tomorrow(), hour=13)


# ---------------------------------------------------------------------------
# Reading


def test_the_ticket_shows_coverage_ledger_certificates_and_events(
    dispatcher: User, covered: Assignment, client_as
) -> None:
    response = client_as(dispatcher).get(url(covered))
    assert response.status_code == 200
    page = text(response)
    assert ELIGIBLE in page
    assert 'data-testid="ticket-premium">$10.16<' in page
    assert page.count('data-testid="ledger-line" data-kind="charge"') == 2
    for certificate in covered.certificates.all():
        assert f'href="/portal/certificates/{certificate.number}.pdf"' in page
        assert certificates.verification_url(certificate.number) in page
    assert "assignment.created" in page and "assignment.active" in page
    assert covered.contractor.legal_name in page


def test_an_uncovered_ticket_says_why_and_what_an_opt_in_would_cost(
    dispatcher: User, uncovered: Assignment, client_as
) -> None:
    page = text(client_as(dispatcher).get(url(uncovered)))
    assert NO_ACTIVE_POLICY in page
    assert 'data-testid="send-opt-in"' in page
    # The quote an opt-in would make: $200 × (4.13 + 0.95) per $100.
    assert "Premium per dispatch once opted in" in page and "$10.16" in page
    assert "Certificates are issued when the ticket is covered." in page


def test_another_platforms_ticket_is_not_found(
    outsider: User, covered: Assignment, client_as
) -> None:
    client = client_as(outsider)
    assert client.get(url(covered)).status_code == 404
    for action in ("cancel", "extend", "wage/preview", "wage", "opt-in", "recheck"):
        assert client.post(url(covered, action)).status_code == 404, action
    assert not Assignment.objects.get(pk=covered.pk).is_cancelled


def test_an_underwriter_reads_any_ticket_but_cannot_act(
    underwriter: User, covered: Assignment, client_as
) -> None:
    client = client_as(underwriter)
    page = text(client.get(url(covered)))
    assert covered.public_id in page and covered.platform.name in page
    assert 'data-testid="cancel-form"' not in page
    assert 'data-testid="wage-form"' not in page
    assert client.post(url(covered, "cancel")).status_code == 403


def test_who_may_open_a_ticket(support: User, covered: Assignment, client_as) -> None:
    assert client_as(support).get(url(covered)).status_code == 403
    anonymous = Client().get(url(covered))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")


def test_unknown_and_malformed_ids_are_not_found(dispatcher: User, client_as) -> None:
    client = client_as(dispatcher)
    assert client.get("/tickets/an_doesnotexist/").status_code == 404
    assert client.get("/tickets/an_%00/").status_code == 404
    assert client.get("/tickets/an_'quote/").status_code == 404


# ---------------------------------------------------------------------------
# Cancel


def test_cancel_a_future_ticket(
    dispatcher: User, covered: Assignment, client_as
) -> None:
    client = client_as(dispatcher)
    response = client.post(url(covered, "cancel"), {"reason": "customer rescheduled"})
    assert response.status_code == 302 and response["Location"] == url(covered)
    covered.refresh_from_db()
    assert covered.is_cancelled and covered.premium == 0
    assert covered.cancellation_reason == "customer rescheduled"
    kinds = LedgerEntry.objects.filter(assignment=covered).values_list("kind", "amount")
    assert sorted(kinds) == [
        ("charge", 190),
        ("charge", 826),
        ("reversal", -826),
        ("reversal", -190),
    ]
    assert set(covered.certificates.values_list("status", flat=True)) == {"revoked"}
    page = text(client.get(url(covered)))
    assert TICKET_CANCELLED.format(id=covered.public_id) in page


def test_cancel_with_htmx_swaps_the_ticket_in_place(
    dispatcher: User, covered: Assignment, client_as
) -> None:
    response = client_as(dispatcher).post(url(covered, "cancel"), headers=HTMX)
    assert response.status_code == 200
    page = text(response)
    assert page.lstrip().startswith('<div id="ticket"')
    assert 'data-status="cancelled"' in page
    assert TICKET_CANCELLED.format(id=covered.public_id) in page


def test_cancel_names_this_ticket_not_the_jobs_latest(
    dispatcher: User, terry: Contractor, job: WorkJob, client_as
) -> None:
    first = ticket(terry, job, day=tomorrow(), hour=9)
    later = ticket(terry, job, day=tomorrow() + timedelta(days=1), hour=9)
    client_as(dispatcher).post(url(first, "cancel"))
    first.refresh_from_db()
    later.refresh_from_db()
    assert first.is_cancelled and not later.is_cancelled


def test_a_started_ticket_cannot_be_cancelled(
    dispatcher: User, terry: Contractor, job: WorkJob, client_as
) -> None:
    started = ticket(terry, job, day=today(), hour=0)
    response = client_as(dispatcher).post(url(started, "cancel"), headers=HTMX)
    assert response.status_code == 422
    assert CANCEL_AFTER_START in text(response)
    started.refresh_from_db()
    assert not started.is_cancelled


def test_a_too_long_reason_is_refused(
    dispatcher: User, covered: Assignment, client_as
) -> None:
    response = client_as(dispatcher).post(url(covered, "cancel"), {"reason": "x" * 101})
    assert response.status_code == 422
    assert REASON_TOO_LONG in text(response)


# ---------------------------------------------------------------------------
# Extend


def test_extend(dispatcher: User, covered: Assignment, client_as) -> None:
    new_end = at(tomorrow() + timedelta(days=2), 17)
    response = client_as(dispatcher).post(
        url(covered, "extend"),
        {"end_at": new_end.strftime("%Y-%m-%dT%H:%M")},
        headers=HTMX,
    )
    assert response.status_code == 200
    covered.refresh_from_db()
    assert covered.end_at == new_end
    end = f"{new_end:%b} {new_end.day}, {new_end:%Y}, 17:00 UTC"
    assert TICKET_EXTENDED.format(id=covered.public_id, end=end) in text(response)


def test_a_same_day_job_keeps_its_end_and_extends_within_its_day(
    dispatcher: User, terry: Contractor, job: WorkJob, client_as
) -> None:
    """Dispatched 14:00-16:00: the job says 16:00 (its coverage runs to midnight), and
    Extend accepts 20:00 though the coverage already ends later."""
    afternoon = ticket(terry, job, day=tomorrow(), hour=14, hours=2)
    client = client_as(dispatcher)
    page = text(client.get(url(afternoon)))
    day = tomorrow()
    assert f"{day:%b} {day.day}, 14:00–16:00 UTC" in page
    assert f"{day:%b} {day.day}, 14:00–24:00 UTC" in page  # the coverage window
    board = text(client.get(f"/board/?day={day.isoformat()}"))
    assert "14:00–16:00" in board and "14:00–24:00" not in board
    response = client.post(
        url(afternoon, "extend"),
        {"end_at": at(day, 20).strftime("%Y-%m-%dT%H:%M")},
        headers=HTMX,
    )
    assert response.status_code == 200
    afternoon.refresh_from_db()
    assert afternoon.job_end_at == at(day, 20)
    assert afternoon.end_at == at(day + timedelta(days=1), 0)
    end = f"{day:%b} {day.day}, {day:%Y}, 20:00 UTC"
    assert TICKET_EXTENDED.format(id=afternoon.public_id, end=end) in text(response)


def test_extend_refusals_are_in_words(
    dispatcher: User, covered: Assignment, client_as
) -> None:
    client = client_as(dispatcher)
    earlier = client.post(
        url(covered, "extend"),
        {"end_at": at(tomorrow(), 10).strftime("%Y-%m-%dT%H:%M")},
    )
    assert earlier.status_code == 422
    assert EXTEND_SHORTENS in text(earlier)
    garbage = client.post(url(covered, "extend"), {"end_at": "next week"})
    assert garbage.status_code == 422
    assert BAD_MOMENT in text(garbage)


# ---------------------------------------------------------------------------
# Change the wage


def test_the_adjustment_is_shown_before_confirming_and_writes_nothing(
    dispatcher: User, covered: Assignment, terry: Contractor, client_as
) -> None:
    sibling = ticket(terry, covered.job, day=tomorrow() + timedelta(days=1))
    client = client_as(dispatcher)
    with capture() as queries:
        response = client.post(
            url(covered, "wage/preview"), {"wage": "300"}, headers=HTMX
        )
    assert response.status_code == 200
    assert [q for q in writes_in(queries) if "django_session" not in q] == []
    page = text(response)
    # $300 instead of $200: each ticket's premium goes from $10.16 to $15.24.
    assert re.findall(r'data-testid="adjustment">([^<]+)<', page) == ["$5.08", "$5.08"]
    assert 'data-testid="adjustment-total">$10.16<' in page
    assert sibling.public_id in page
    covered.job.refresh_from_db()
    assert covered.job.wage == 20_000


def test_confirming_the_wage_posts_adjustments(
    dispatcher: User, covered: Assignment, client_as
) -> None:
    client = client_as(dispatcher)
    response = client.post(url(covered, "wage"), {"wage": "300.00"})
    assert response.status_code == 302
    covered.refresh_from_db()
    assert covered.premium == 1524
    adjustments = LedgerEntry.objects.filter(assignment=covered, kind="adjustment")
    assert sorted(adjustments.values_list("amount", flat=True)) == [95, 413]
    notice = WAGE_CHANGED.format(job=covered.job.name, wage="$300.00")
    assert notice in text(client.get(url(covered)))


def test_a_wage_change_is_refused_once_the_job_is_invoiced(
    dispatcher: User, covered: Assignment, client_as
) -> None:
    create_invoice(
        contractor=covered.contractor,
        job=covered.job,
        gross_pay=20_000,
        paycycle_start=covered.effective_at,
        paycycle_end=covered.end_at,
    )
    client = client_as(dispatcher)
    for action in ("wage/preview", "wage"):
        response = client.post(url(covered, action), {"wage": "300"})
        assert response.status_code == 422
        assert INVOICE_EXISTS in text(response)
    covered.refresh_from_db()
    assert covered.premium == 1016


def test_a_bad_wage_is_said_in_words(
    dispatcher: User, covered: Assignment, client_as
) -> None:
    response = client_as(dispatcher).post(url(covered, "wage/preview"), {"wage": "1,5"})
    assert response.status_code == 422
    assert BAD_WAGE in text(response)


def test_a_wage_out_of_range_is_said_in_dollars(
    dispatcher: User, covered: Assignment, client_as
) -> None:
    response = client_as(dispatcher).post(
        url(covered, "wage/preview"), {"wage": "0.50"}
    )
    assert response.status_code == 422
    assert WAGE_OUT_OF_RANGE_DOLLARS in text(response)
    assert WAGE_OUT_OF_RANGE not in text(response)


# ---------------------------------------------------------------------------
# Not covered → fix it


def test_send_opt_in_link(dispatcher: User, uncovered: Assignment, client_as) -> None:
    client = client_as(dispatcher)
    response = client.post(url(uncovered, "opt-in"), headers=HTMX)
    assert response.status_code == 200
    session = ApplicationSession.objects.get()
    assert session.assignment == uncovered
    quote = session.quote
    assert (quote.contractor, quote.job) == (uncovered.contractor, uncovered.job)
    assert quote.effective_at == uncovered.effective_at
    page = text(response)
    link = f"http://testserver/apply/{session.token}/"
    assert f'value="{link}"' in page
    assert 'src="data:image/svg+xml' in page  # the QR code
    mailto = re.search(r'href="(mailto:[^"]+)"', page).group(1)
    assert unquote(mailto).startswith(f"mailto:{uncovered.contractor.email}?subject=")
    assert link in unquote(mailto)
    assert OPT_IN_READY.format(tech=uncovered.contractor.legal_name) in page
    assert 'data-status="pending"' in page
    # Pressing again sends the same link, not a second quote.
    client.post(url(uncovered, "opt-in"))
    assert (Quote.objects.count(), ApplicationSession.objects.count()) == (1, 1)


def test_a_covered_ticket_has_nothing_to_opt_in_to(
    dispatcher: User, covered: Assignment, client_as
) -> None:
    response = client_as(dispatcher).post(url(covered, "opt-in"))
    assert response.status_code == 422
    assert ALREADY_COVERED in text(response)
    assert ApplicationSession.objects.count() == 0


def test_the_ticket_turns_covered_when_the_tech_completes_the_hosted_application(
    dispatcher: User, uncovered: Assignment, client_as
) -> None:
    client = client_as(dispatcher)
    client.post(url(uncovered, "opt-in"))
    session = ApplicationSession.objects.get()
    # The tech, in their own browser, with no login.
    opted = Client().post(f"/apply/{session.token}/opt-in", {"attest": "on"})
    assert opted.status_code == 200
    uncovered.refresh_from_db()
    assert uncovered.eligible and uncovered.is_covered
    assert uncovered.eligibility_message == ELIGIBLE
    assert uncovered.premium == 1016
    assert uncovered.certificates.filter(status=Certificate.Status.ISSUED).count() == 2
    board = text(client.get("/board/", {"day": tomorrow().isoformat()}))
    row = re.search(rf'data-ticket="{uncovered.public_id}" data-status="(\w+)"', board)
    assert row.group(1) == "covered"


def test_a_pending_ticket_polls_until_it_changes(
    dispatcher: User, uncovered: Assignment, client_as
) -> None:
    client = client_as(dispatcher)
    client.post(url(uncovered, "opt-in"))
    page = text(client.get(url(uncovered)))
    version = re.search(r'\?v=([^"]+)" hx-trigger="every 10s"', page).group(1)
    still = client.get(url(uncovered), {"v": unquote(version)}, headers=HTMX)
    assert still.status_code == 204
    session = ApplicationSession.objects.get()
    Client().post(f"/apply/{session.token}/opt-in", {"attest": "on"})
    changed = client.get(url(uncovered), {"v": unquote(version)}, headers=HTMX)
    assert changed.status_code == 200
    assert 'data-status="covered"' in text(changed)


def test_decide_coverage_again(
    dispatcher: User,
    uncovered: Assignment,
    category: CategoryCode,
    client_as,
) -> None:
    client = client_as(dispatcher)
    still = client.post(url(uncovered, "recheck"), headers=HTMX)
    name = uncovered.contractor.first_name
    advice = ADVICE[NO_ACTIVE_POLICY].format(tech=name)
    # Still not covered: a warning, in plain words, not a green success.
    assert DECIDED_NOT_COVERED.format(reason=advice) in text(still)
    assert 'data-level="warning"' in text(still)
    # The tech opted in some other way (their platform's own flow, say).
    opted_in(uncovered.contractor, category)
    now_covered = client.post(url(uncovered, "recheck"), headers=HTMX)
    assert DECIDED_COVERED in text(now_covered)
    assert 'data-level="success"' in text(now_covered)
    uncovered.refresh_from_db()
    assert uncovered.is_covered and uncovered.premium == 1016


def test_an_underwriter_cannot_send_opt_ins(
    underwriter: User, uncovered: Assignment, client_as
) -> None:
    client = client_as(underwriter)
    assert client.post(url(uncovered, "opt-in")).status_code == 403
    assert client.post(url(uncovered, "recheck")).status_code == 403
    assert ApplicationSession.objects.count() == 0
