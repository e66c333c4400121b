"""The dispatcher's list pages run a constant number of queries, with 5 tickets or 500."""

from __future__ import annotations

import re

import pytest

from coverage.models import Assignment, CategoryCode, Contractor
from portal.models import Platform, User
from tests.coverage.helpers import make_job
from tests.coverage.many_tickets import seed_day
from tests.coverage.portal_helpers import HTMX

pytestmark = pytest.mark.django_db

SIZES = [5, 500]


@pytest.fixture(params=SIZES, ids=[f"{n}-tickets" for n in SIZES])
def day_of(request, platform: Platform, category: CategoryCode, product) -> int:
    made = seed_day(platform, category, request.param)
    assert len(made) == request.param
    return request.param


def test_board_full_page(
    dispatcher: User, day_of: int, client_as, django_assert_num_queries
) -> None:
    client = client_as(dispatcher)
    # 1 session, 2 user (with their platform: the header's name and their time
    # zone), 3 the summary (counts per status, premium, last change), 4 one page of
    # tickets with tech, job, customer and trade, 5 their open opt-in links, 6 their
    # certificates in force, 7 the day's techs and customers for the pickers.
    with django_assert_num_queries(7):
        response = client.get("/board/")
    shown = re.findall(r'data-testid="ticket-row"', response.content.decode())
    assert len(shown) == min(day_of, 100)


def test_board_swap(
    dispatcher: User, day_of: int, client_as, django_assert_num_queries
) -> None:
    client = client_as(dispatcher)
    # The full page's queries: the swap carries the pickers.
    with django_assert_num_queries(7):
        client.get("/board/", {"sort": "-premium"}, headers=HTMX)


def test_board_poll(
    dispatcher: User, day_of: int, client_as, django_assert_num_queries
) -> None:
    client = client_as(dispatcher)
    version = client.get("/board/").context["summary"].version
    # 1 session, 2 user, 3 the summary: unchanged, so nothing else.
    with django_assert_num_queries(3):
        response = client.get("/board/", {"v": version}, headers=HTMX)
    assert response.status_code == 204
    # Something changed: 1–3 as above, 4 the page, 5 opt-ins, 6 certificates.
    Assignment.objects.filter(pk=Assignment.objects.first().pk).update(premium=1)
    with django_assert_num_queries(6):
        response = client.get("/board/", {"v": version}, headers=HTMX)
    assert response.status_code == 200


def test_board_of_an_underwriter(
    underwriter: User, day_of: int, client_as, django_assert_num_queries
) -> None:
    client = client_as(underwriter)
    # As a dispatcher's, with the list of platforms instead of the header's platform,
    # plus the authenticator that verified the session (django-otp reads it).
    with django_assert_num_queries(9):
        client.get("/board/")


def test_premium_page(
    dispatcher: User, day_of: int, client_as, django_assert_num_queries
) -> None:
    client = client_as(dispatcher)
    # 1 session, 2 user with their platform, 3 the closed days (none), 4 the ledger
    # total, then one GROUP BY each: 5 kind, 6 day, 7 customer, 8 tech, 9 state; the
    # independent reconciliation: 10 the ledger per dispatch, 11 the dispatches
    # themselves (tests/coverage/test_premium_days.py: a closed period's page).
    with django_assert_num_queries(11):
        response = client.get("/premium/")
    assert 'data-testid="reconciled"' in response.content.decode()


def test_premium_csv(
    dispatcher: User, day_of: int, client_as, django_assert_num_queries
) -> None:
    client = client_as(dispatcher)
    # 1 session, 2 user with their platform, 3 the entries (a server-side cursor).
    with django_assert_num_queries(3):
        response = client.get("/premium/ledger.csv")
        body = b"".join(response.streaming_content).decode()
    covered = Assignment.objects.filter(eligible=True).count()
    # Two lines per ticket charged (the cancelled one too), and its two reversals.
    assert body.count("\n") == 1 + 2 * covered + 2


def test_techs_list(
    dispatcher: User, day_of: int, client_as, django_assert_num_queries
) -> None:
    client = client_as(dispatcher)
    # 1 session, 2 user, 3 the count, 4 one page of techs with their last
    # dispatch, 5 the page's active policies.
    with django_assert_num_queries(5):
        response = client.get("/techs/")
    assert response.content.decode().count('data-testid="tech-row"') == min(
        Contractor.objects.count(), 50
    )


def test_ticket_page(
    dispatcher: User, day_of: int, client_as, django_assert_num_queries
) -> None:
    client = client_as(dispatcher)
    covered = Assignment.objects.filter(eligible=True).order_by("pk").first()
    # 1 session, 2 user, 3 the ticket (access), 4 the ticket for display, 5 its
    # open opt-ins, 6 its certificates in force, 7 ledger lines, 8 all its
    # certificates, 9 events, 10 its card charges (with their cards), 11 opt-in
    # history, 12 the rest of its crew (the seed starts two techs on its first job
    # at 06:00), 13 their open opt-ins, 14 their certificates in force.
    with django_assert_num_queries(14):
        client.get(f"/tickets/{covered.public_id}/")


def test_contractor_page(
    dispatcher: User, day_of: int, client_as, django_assert_num_queries
) -> None:
    client = client_as(dispatcher)
    tech = Contractor.objects.get(email="terry@many.example")
    # Every ticket of the day becomes Terry's: a long work history. Uma's shares
    # Terry's job and window, so it moves to a job of its own first (one live
    # dispatch per contractor, job and window).
    uma = Assignment.objects.filter(contractor__email="uma@many.example")
    uma.update(job=make_job(tech.platform, category=uma.get().job.category_code))
    Assignment.objects.update(contractor=tech)
    # 1 session, 2 user, 3 the tech, 4 the history count, 5 their next ticket,
    # 6–7 whether repeat coverage applies to it (the trade's approval, their live
    # policies), 8 their policies, 9 a page of history, 10 its open opt-ins, 11 its
    # certificates in force, 12 the route (from today on), 13 its open opt-ins, 14
    # its certificates in force, 15 their latest certificates (the jobs to ask
    # about are searched by the job picker, not listed).
    with django_assert_num_queries(15):
        response = client.get(f"/techs/{tech.public_id}/")
    assert response.content.decode().count('data-testid="history-row"') == min(
        day_of, 25
    )
