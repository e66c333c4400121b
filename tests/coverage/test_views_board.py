"""The ticket board: who sees what, filters in the URL, partial swaps, polling, empty states."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.validators import ProhibitNullCharactersValidator
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from coverage.forms import (
    BAD_DAY,
    BAD_PAGE,
    BAD_PER_PAGE,
    BAD_PUBLIC_ID,
    BAD_SORT,
    UNKNOWN_CHOICE,
)
from coverage.models import Assignment, CategoryCode, Contractor, Entity, WorkJob
from coverage.selectors import board, tickets
from coverage.services import cancel_assignment, send_opt_in
from coverage.services.eligibility import NO_ACTIVE_POLICY, WORK_STATE_MISMATCH
from coverage.views.board import (
    NO_TICKETS_MATCH,
    NO_TICKETS_ON_DAY,
    NO_TICKETS_TODAY,
    POLL_SECONDS,
)
from coverage.wording import ADVICE
from portal.models import Platform, User
from tests.coverage.helpers import ApiClient, approved_janitorial, make_job
from tests.coverage.portal_helpers import HTMX, at, opted_in, ticket, today, tomorrow
from tests.policies.helpers import make_contractor

pytestmark = pytest.mark.django_db

NUL_MESSAGE = str(ProhibitNullCharactersValidator.message)

BOARD = "/board/"


@pytest.fixture
def covered(
    contractor: Contractor, job: WorkJob, category: CategoryCode, product
) -> Assignment:
    opted_in(contractor, category)
    return ticket(contractor, job, hour=9)


@pytest.fixture
def uncovered(platform: Platform, category: CategoryCode) -> Assignment:
    priya = make_contractor(platform, email="priya@example.com")
    priya.first_name = "Priya"
    priya.save()
    return ticket(priya, make_job(platform, category=category, state="PA"), hour=15)


def rows(response) -> list[str]:
    """The tickets listed, in order, read from the HTML (partials have no context)."""
    return re.findall(r'data-ticket="(an_\w+)"', response.content.decode())


def changed(response) -> dict[str, bool]:
    found = re.findall(
        r'class="ticket-row [^"]*?( is-changed)?" [^>]*data-ticket="(an_\w+)"',
        response.content.decode(),
    )
    return {public_id: bool(flag) for flag, public_id in found}


def test_anonymous_users_are_sent_to_sign_in() -> None:
    response = Client().get(BOARD)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={BOARD}"


def test_support_has_no_board(support: User, client_as) -> None:
    assert client_as(support).get(BOARD).status_code == 403


def test_a_dispatcher_sees_todays_tickets_of_their_platform_only(
    dispatcher: User,
    covered,
    uncovered,
    other_platform: Platform,
    client_as,
    product,
) -> None:
    rival = make_contractor(other_platform, email="rival@example.com")
    rival_job = make_job(other_platform, category=approved_janitorial(other_platform))
    theirs = ticket(rival, rival_job, hour=10)
    response = client_as(dispatcher).get(BOARD)
    assert response.status_code == 200
    assert rows(response) == [covered.public_id, uncovered.public_id]
    page = response.content.decode()
    assert theirs.public_id not in page
    assert other_platform.name not in page
    # A link for reading without JavaScript: every ticket has a real address.
    assert f'href="/tickets/{covered.public_id}/"' in page


def test_rows_show_coverage_premium_and_the_reason_in_words(
    dispatcher: User, covered, uncovered, client_as
) -> None:
    response = client_as(dispatcher).get(BOARD)
    shown = {t.assignment.public_id: t for t in response.context["tickets"]}
    assert shown[covered.public_id].status == tickets.Status.COVERED
    assert [c.status for c in shown[covered.public_id].lines] == ["covered"] * 2
    # The check's message in plain words, with what to do (coverage.wording).
    advice = ADVICE[NO_ACTIVE_POLICY].format(tech="Priya")
    assert shown[uncovered.public_id].reason == advice
    assert advice == (
        "Priya has not opted in yet. Send an opt-in link: the job is covered once "
        "Priya completes it."
    )
    page = response.content.decode()
    assert "GL covered" in page and "WC covered" in page
    assert "WC NJ 9410" in page  # the class the dispatch routed to
    assert escape(advice) in page
    assert "$10.16" in page  # $200 × (4.13 + 0.95) per $100
    assert 'data-testid="board-premium">$10.16<' in page


def test_certificate_links_on_covered_tickets(
    dispatcher: User, covered, uncovered, client_as
) -> None:
    page = client_as(dispatcher).get(BOARD).content.decode()
    numbers = list(covered.certificates.values_list("number", flat=True))
    assert len(numbers) == 2
    for number in numbers:
        assert f'href="/portal/certificates/{number}.pdf"' in page


def test_an_underwriter_reads_every_platform_and_cannot_act(
    underwriter: User, covered, other_platform: Platform, client_as, product
) -> None:
    rival = make_contractor(other_platform, email="rival@example.com")
    theirs = ticket(
        rival,
        make_job(other_platform, category=approved_janitorial(other_platform)),
        hour=11,
    )
    client = client_as(underwriter)
    response = client.get(BOARD)
    assert rows(response) == [covered.public_id, theirs.public_id]
    page = response.content.decode()
    assert "New ticket" not in page
    assert "Every platform, read-only" in page
    only_theirs = client.get(BOARD, {"platform": other_platform.public_id})
    assert rows(only_theirs) == [theirs.public_id]


def test_a_dispatcher_cannot_pick_another_platform(
    dispatcher: User, covered, other_platform: Platform, client_as
) -> None:
    response = client_as(dispatcher).get(BOARD, {"platform": other_platform.public_id})
    assert rows(response) == [covered.public_id]


def test_htmx_gets_only_the_table_region(dispatcher: User, covered, client_as) -> None:
    response = client_as(dispatcher).get(BOARD, headers=HTMX)
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="ticket-table"')
    assert "<html" not in page
    assert "HX-Request" in response["Vary"]
    # The filter bar's pickers come along out of band, whole (the day may have
    # changed), with the chosen tech still chosen.
    assert '<select name="tech" id="id_tech" hx-swap-oob="true">' in page
    assert '<select name="customer" id="id_customer" hx-swap-oob="true">' in page
    tech = covered.contractor.public_id
    chosen = client_as(dispatcher).get(BOARD, {"tech": tech}, headers=HTMX)
    assert f'<option value="{tech}" selected>' in chosen.content.decode()
    full = client_as(dispatcher).get(BOARD).content.decode()
    assert "<html" in full and "hx-swap-oob" not in full


def test_the_board_polls_and_answers_204_when_nothing_changed(
    dispatcher: User, covered, client_as
) -> None:
    client = client_as(dispatcher)
    version = client.get(BOARD).context["summary"].version
    page = client.get(BOARD).content.decode()
    assert f'hx-trigger="every {POLL_SECONDS}s"' in page
    unchanged = client.get(BOARD, {"v": version, "since": "1"}, headers=HTMX)
    assert unchanged.status_code == 204
    assert unchanged.content == b""


def test_a_certificate_revoked_or_rendered_changes_the_board_on_the_next_poll(
    dispatcher: User, covered, client_as
) -> None:
    """Neither touches the dispatch row, yet both change what the row shows."""
    from coverage.certificates.lifecycle import revoke_for_policy
    from coverage.certificates.rendering import render_now

    client = client_as(dispatcher)
    version = client.get(BOARD).context["summary"].version
    assert client.get(BOARD, {"v": version}, headers=HTMX).status_code == 204
    certificate = covered.certificates.first()
    render_now(certificate_id=certificate.pk, force=True)
    rendered = client.get(BOARD, {"v": version}, headers=HTMX)
    assert rendered.status_code == 200
    version = client.get(BOARD).context["summary"].version
    assert client.get(BOARD, {"v": version}, headers=HTMX).status_code == 204
    revoke_for_policy(
        policy=covered.policy, reason="policy_cancelled", now=timezone.now()
    )
    revoked = client.get(BOARD, {"v": version}, headers=HTMX)
    assert revoked.status_code == 200
    assert "certificate-link" not in revoked.content.decode()


def test_a_poll_after_a_change_returns_the_table_with_the_ticket_highlighted(
    dispatcher: User, covered, uncovered, client_as
) -> None:
    client = client_as(dispatcher)
    version = client.get(BOARD).context["summary"].version
    rendered = timezone.now()
    cancel_assignment(
        assignment=uncovered, now=uncovered.effective_at - timedelta(hours=1)
    )
    response = client.get(
        BOARD,
        {"v": version, "since": str(rendered.timestamp())},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert changed(response) == {covered.public_id: False, uncovered.public_id: True}
    assert 'class="ticket-row status-cancelled is-changed"' in response.content.decode()
    # The poll's own parameters never leak into the links it renders.
    assert "since=" not in response.content.decode().split("board-poller")[1]


def test_a_dispatch_reported_through_the_api_appears_on_the_next_poll(
    dispatcher: User,
    covered,
    contractor: Contractor,
    job: WorkJob,
    client_as,
    api: ApiClient,
) -> None:
    # Tomorrow's board: the API takes only dispatches that start in the future.
    first = ticket(contractor, job, day=tomorrow(), hour=9)
    day = {"day": tomorrow().isoformat()}
    client = client_as(dispatcher)
    version = client.get(BOARD, day).context["summary"].version
    rendered = timezone.now()
    reported = api.post(
        "/assignments",
        {
            "contractor": contractor.public_id,
            "job": job.public_id,
            "effective_date": int(at(tomorrow(), 18).timestamp()),
        },
    )
    assert reported.status_code == 201, reported.content
    later = reported.json()["id"]
    response = client.get(
        BOARD,
        {**day, "v": version, "since": str(rendered.timestamp())},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert changed(response) == {first.public_id: False, later: True}


def test_an_opt_in_link_makes_the_ticket_pending(
    dispatcher: User, platform: Platform, category: CategoryCode, client_as, product
) -> None:
    priya = make_contractor(platform, email="priya@example.com")
    later = ticket(priya, make_job(platform, category=category), day=tomorrow())
    send_opt_in(assignment=later, url_for=lambda t: f"http://x/{t}", now=timezone.now())
    response = client_as(dispatcher).get(BOARD, {"day": tomorrow().isoformat()})
    (shown,) = response.context["tickets"]
    assert shown.status == tickets.Status.PENDING
    assert [c.status for c in shown.lines] == ["pending", "pending"]
    assert "opt-in pending" in response.content.decode()


def test_filter_by_coverage_status(
    dispatcher: User,
    covered,
    uncovered,
    contractor: Contractor,
    job: WorkJob,
    client_as,
) -> None:
    client = client_as(dispatcher)
    assert rows(client.get(BOARD, {"status": "covered"})) == [covered.public_id]
    assert rows(client.get(BOARD, {"status": "not_covered"})) == [uncovered.public_id]
    assert rows(client.get(BOARD, {"status": "pending"})) == []
    later = ticket(contractor, job, day=tomorrow(), hour=8)
    cancel_assignment(assignment=later, now=timezone.now())
    on_tomorrow = {"day": tomorrow().isoformat()}
    assert rows(client.get(BOARD, {**on_tomorrow, "status": "cancelled"})) == [
        later.public_id
    ]
    assert rows(client.get(BOARD, {**on_tomorrow, "status": "covered"})) == []


def test_filters_by_state_tech_customer_and_search_keep_their_values_in_links(
    dispatcher: User, covered, uncovered, client_as
) -> None:
    client = client_as(dispatcher)
    assert rows(client.get(BOARD, {"state": "PA"})) == [uncovered.public_id]
    tech = covered.contractor.public_id
    assert rows(client.get(BOARD, {"tech": tech})) == [covered.public_id]
    customer = uncovered.job.entity.public_id
    assert rows(client.get(BOARD, {"customer": customer})) == [uncovered.public_id]
    assert rows(client.get(BOARD, {"q": "priya"})) == [uncovered.public_id]
    assert rows(client.get(BOARD, {"q": uncovered.public_id})) == [uncovered.public_id]
    page = client.get(BOARD, {"state": "PA", "q": "priya"}).content.decode()
    # Sorting keeps the filters (and starts again at page 1).
    assert 'href="/board/?state=PA&amp;q=priya&amp;sort=tech"' in page


def test_sorting_by_premium_and_tech(
    dispatcher: User, covered, uncovered, client_as
) -> None:
    client = client_as(dispatcher)
    assert rows(client.get(BOARD, {"sort": "-premium"})) == [
        covered.public_id,
        uncovered.public_id,
    ]
    assert rows(client.get(BOARD, {"sort": "premium"})) == [
        uncovered.public_id,
        covered.public_id,
    ]
    page = client.get(BOARD, {"sort": "-premium"}).content.decode()
    assert 'aria-sort="descending"' in page


def test_paging(
    dispatcher: User,
    contractor: Contractor,
    job: WorkJob,
    client_as,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(board, "PAGE_SIZE", 2)
    made = [ticket(contractor, job, hour=h, hours=1).public_id for h in (7, 8, 9)]
    client = client_as(dispatcher)
    first = client.get(BOARD)
    assert rows(first) == made[:2]
    assert "Tickets 1–2 of 3" in first.content.decode()
    assert 'href="/board/?page=2"' in first.content.decode()
    assert rows(client.get(BOARD, {"page": 2})) == made[2:]
    # A page past the end (a stale link) shows the last page.
    assert rows(client.get(BOARD, {"page": 9})) == made[2:]


def test_the_page_size_is_in_the_url(
    dispatcher: User,
    platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    category: CategoryCode,
    client_as,
) -> None:
    # 26 tickets: one more than the smallest page. An hour each of the day on one job,
    # two more on another (one live dispatch per tech, job and window).
    second = make_job(platform, category=category)
    made = [
        ticket(
            contractor, job if h < 24 else second, hour=h % 24, hours=1, lines=None
        ).public_id
        for h in range(26)
    ]
    client = client_as(dispatcher)
    small = client.get(BOARD, {"per_page": "25"})
    assert len(rows(small)) == 25
    assert "Tickets 1–25 of 26" in small.content.decode()
    assert 'href="/board/?per_page=25&amp;page=2"' in small.content.decode()
    assert len(rows(client.get(BOARD, {"per_page": "25", "page": "2"}))) == 1
    # The default page holds all 26 and offers the other sizes, keeping the filters.
    default = client.get(BOARD, {"q": "terry"}).content.decode()
    assert 'href="/board/?q=terry&amp;per_page=25"' in default
    assert '<strong aria-current="true">100</strong>' in default
    everything = client.get(BOARD, {"per_page": "500"}, headers=HTMX)
    assert sorted(rows(everything)) == sorted(made)


def test_the_date_picker_shows_another_day(
    dispatcher: User, covered, contractor: Contractor, job: WorkJob, client_as
) -> None:
    later = ticket(contractor, job, day=tomorrow(), hour=9)
    response = client_as(dispatcher).get(BOARD, {"day": tomorrow().isoformat()})
    assert rows(response) == [later.public_id]
    page = response.content.decode()
    assert f'value="{tomorrow().isoformat()}"' in page
    assert ">Today</a>" in page


def test_empty_states_say_so_in_words(dispatcher: User, covered, client_as) -> None:
    client = client_as(dispatcher)
    other_day = today() + timedelta(days=3)
    assert (
        NO_TICKETS_ON_DAY.format(day=f"{other_day:%A, %B} {other_day.day}")
        in client.get(BOARD, {"day": other_day.isoformat()}).content.decode()
    )
    assert NO_TICKETS_MATCH in client.get(BOARD, {"state": "TX"}).content.decode()


def test_no_dispatches_today(dispatcher: User, client_as) -> None:
    page = client_as(dispatcher).get(BOARD).content.decode()
    assert NO_TICKETS_TODAY in page
    assert 'data-testid="board-empty"' in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"day": "yesterday"}, BAD_DAY),
        ({"page": "0"}, BAD_PAGE),
        ({"per_page": "7"}, BAD_PER_PAGE),
        ({"per_page": "all"}, BAD_PER_PAGE),
        ({"sort": "salary"}, BAD_SORT),
        ({"status": "maybe"}, UNKNOWN_CHOICE),
        ({"state": "ZZ"}, UNKNOWN_CHOICE),
        ({"tech": "<script>"}, BAD_PUBLIC_ID.format(what="tech")),
        ({"customer": "en_$$"}, BAD_PUBLIC_ID.format(what="customer")),
    ],
)
def test_bad_filter_values_are_ignored_and_said_in_words(
    dispatcher: User, covered, client_as, params: dict[str, str], message: str
) -> None:
    response = client_as(dispatcher).get(BOARD, params)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert rows(response) == [covered.public_id]


def test_a_nul_in_the_search_is_refused_not_a_500(
    dispatcher: User, covered, client_as
) -> None:
    response = client_as(dispatcher).get(BOARD, {"q": "terry\x00"})
    assert response.status_code == 200
    assert NUL_MESSAGE in response.content.decode()


def test_a_work_state_mismatch_reads_in_words(
    dispatcher: User,
    platform: Platform,
    contractor: Contractor,
    category: CategoryCode,
    entity: Entity,
    client_as,
    product,
) -> None:
    opted_in(contractor, category)
    across = ticket(contractor, make_job(platform, category=category, state="PA"))
    page = client_as(dispatcher).get(BOARD).content.decode()
    assert across.eligibility_message == WORK_STATE_MISMATCH
    name = contractor.first_name
    assert (
        escape(
            f"{name}'s policy covers NJ work; this job is in PA. "
            "Send an opt-in link to cover PA."
        )
        in page
    )
    # The ticket keeps the check's exact words, for support.
    detail = client_as(dispatcher).get(f"/tickets/{across.public_id}/")
    assert escape(WORK_STATE_MISMATCH) in detail.content.decode()


def test_summary_counts(dispatcher: User, covered, uncovered, client_as) -> None:
    summary = client_as(dispatcher).get(BOARD).context["summary"]
    assert (summary.total, summary.covered, summary.not_covered) == (2, 1, 1)
    assert (summary.pending, summary.cancelled, summary.premium) == (0, 0, 1016)
    assert summary.last_change == max(covered.updated_at, uncovered.updated_at)


def test_the_day_is_the_utc_day(dispatcher: User, contractor, job, client_as) -> None:
    late = ticket(contractor, job, day=tomorrow(), hour=0)
    assert late.effective_at == datetime.combine(
        tomorrow(), datetime.min.time(), tzinfo=UTC
    )
    assert rows(client_as(dispatcher).get(BOARD, {"day": tomorrow()})) == [
        late.public_id
    ]


def test_the_summary_shows_no_zero_counts(dispatcher: User, covered, client_as) -> None:
    """Only covered tickets: no red "0 not covered" chip beside "1 covered"."""
    page = client_as(dispatcher).get(BOARD).content.decode()
    summary = page.split('data-testid="board-summary"')[1].split("</p>")[0]
    assert "1 covered" in summary
    assert "not covered" not in summary
