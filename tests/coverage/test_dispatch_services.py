"""The services the dispatcher's screens call: each agrees with the API's path."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coverage.models import (
    ApplicationSession,
    Assignment,
    CategoryCode,
    Contractor,
    Entity,
    LedgerEntry,
    WorkJob,
)
from coverage.rating import NO_CLASS
from coverage.services import (
    cancel_assignment,
    complete_application_session,
    create_assignment,
    extend_assignment,
    preview_assignment,
    preview_wage_change,
    send_opt_in,
    update_job,
)
from coverage.services.assignments import ASSIGNMENT_CANCELLED
from coverage.services.dates import DEFAULT_LENGTH, next_day
from coverage.services.eligibility import (
    CATEGORY_MISMATCH,
    ELIGIBLE,
    NO_ACTIVE_POLICY,
    POLICY_AFTER_ASSIGNMENT,
    WORK_STATE_MISMATCH,
)
from policies.lines import CoverageType
from portal.models import Platform
from tests.coverage.helpers import GL, WC, make_job
from tests.coverage.portal_helpers import at, opted_in, ticket, tomorrow
from tests.policies.helpers import make_category, make_contractor

pytestmark = pytest.mark.django_db


def url_for(token: str) -> str:
    return f"http://testserver/apply/{token}/"


@pytest.fixture
def terry(contractor: Contractor, category: CategoryCode, product) -> Contractor:
    opted_in(contractor, category)
    return contractor


@pytest.mark.parametrize(
    ("state", "trade", "message"),
    [
        ("NJ", "janitorial", ELIGIBLE),
        ("PA", "janitorial", WORK_STATE_MISMATCH),
        ("NJ", "hvac", CATEGORY_MISMATCH),
    ],
)
def test_the_preview_is_what_create_assignment_records(
    terry: Contractor,
    platform: Platform,
    entity: Entity,
    category: CategoryCode,
    state: str,
    trade: str,
    message: str,
) -> None:
    if trade == "hvac":
        category = make_category()
        category.approved_platforms.add(platform)
    job = make_job(platform, category=category, entity=entity, state=state)
    start = at(tomorrow(), 9)
    now = timezone.now()
    shown = preview_assignment(
        contractor=terry,
        job=job,
        lines=[WC, GL],
        effective_at=start,
        end_at=start + timedelta(hours=2),
        now=now,
    )
    assert Assignment.objects.count() == 0
    made = create_assignment(
        contractor=terry,
        job=job,
        lines=[WC, GL],
        effective_at=start,
        end_at=start + timedelta(hours=2),
        now=now,
    )
    assert (shown.eligible, shown.message, shown.premium) == (
        made.eligible,
        made.eligibility_message,
        made.premium,
    )
    assert shown.message == message


def test_the_preview_takes_an_unsaved_job(
    terry: Contractor, platform: Platform, entity: Entity, category: CategoryCode
) -> None:
    job = WorkJob(
        platform=platform,
        entity=entity,
        name="Not saved",
        category_code=category,
        wage=30_000,
        wage_type=WorkJob.WageType.FLATFEE,
        address_region="NJ",
    )
    start = at(tomorrow(), 9)
    shown = preview_assignment(
        contractor=terry,
        job=job,
        lines=[WC, GL],
        effective_at=start,
        end_at=None,
        now=timezone.now(),
    )
    assert shown.eligible and shown.premium == 1524
    assert [(r.line, r.class_code) for r in shown.rating.lines] == [
        (GL, "96816"),
        (WC, "9410"),
    ]
    assert WorkJob.objects.count() == 0


def test_a_covered_dispatch_that_cannot_be_priced_is_refused_by_both(
    contractor: Contractor, platform: Platform, entity: Entity, product
) -> None:
    # Opted in for New York, where this trade has no class in the rate book.
    trade = CategoryCode.objects.create(name="Chimney sweeping")
    trade.approved_platforms.add(platform)
    opted_in(contractor, trade, state="NY", lines=(WC,))
    job = make_job(platform, category=trade, entity=entity, state="NY")
    start = at(tomorrow(), 9)
    args = {
        "contractor": contractor,
        "job": job,
        "lines": [WC],
        "effective_at": start,
        "end_at": None,
    }
    shown = preview_assignment(**args, now=timezone.now())
    expected = NO_CLASS.format(
        line_label="workers' compensation",
        category="Chimney sweeping",
        state_name="New York",
        state="NY",
    )
    assert shown.refused and shown.rating_error == expected
    with pytest.raises(ValidationError) as refused:
        create_assignment(**args, now=timezone.now())
    assert refused.value.messages == [expected]


def test_the_preview_refuses_a_window_as_the_service_does(
    terry: Contractor, job: WorkJob
) -> None:
    with pytest.raises(ValidationError) as refused:
        preview_assignment(
            contractor=terry,
            job=job,
            lines=[WC],
            effective_at=timezone.now() - timedelta(hours=1),
            end_at=None,
            now=timezone.now(),
        )
    assert refused.value.code == "effective_date_invalid"


def test_cancel_and_extend_name_one_dispatch(terry: Contractor, job: WorkJob) -> None:
    # The API's /cancel and /extend would pick the job's latest: ``later``.
    first = ticket(terry, job, day=tomorrow())
    later = ticket(terry, job, day=tomorrow() + timedelta(days=1))
    later_end = later.end_at
    new_end = first.end_at + timedelta(hours=5)
    extend_assignment(assignment=first, end_at=new_end, now=timezone.now())
    cancel_assignment(assignment=first, now=timezone.now())
    first.refresh_from_db()
    later.refresh_from_db()
    assert first.end_at == new_end and first.is_cancelled
    assert not later.is_cancelled and later.end_at == later_end
    with pytest.raises(ValidationError, match=re.escape(ASSIGNMENT_CANCELLED)):
        extend_assignment(
            assignment=first, end_at=new_end + timedelta(days=1), now=timezone.now()
        )


def test_the_wage_preview_is_what_update_job_posts(
    terry: Contractor, job: WorkJob
) -> None:
    tickets = [ticket(terry, job, day=tomorrow() + timedelta(days=n)) for n in range(2)]
    shown = preview_wage_change(job=job, wage=27_500, now=timezone.now())
    assert [r.assignment.pk for r in shown] == [t.pk for t in tickets]
    assert LedgerEntry.objects.filter(kind="adjustment").count() == 0
    update_job(job=job, data={"wage": 27_500}, now=timezone.now())
    for repricing in shown:
        repricing.assignment.refresh_from_db()
        assert repricing.assignment.premium == repricing.after
        posted = LedgerEntry.objects.filter(
            assignment=repricing.assignment, kind="adjustment"
        )
        assert sum(e.amount for e in posted) == repricing.adjustment


# ---------------------------------------------------------------------------
# Opt-in for an uncovered dispatch


@pytest.fixture
def priya(platform: Platform) -> Contractor:
    return make_contractor(platform, email="priya@example.com")


def test_send_opt_in_quotes_the_dispatch_from_its_start(
    priya: Contractor, job: WorkJob, product
) -> None:
    later = ticket(priya, job, day=tomorrow(), hour=9)
    assert later.eligibility_message == NO_ACTIVE_POLICY
    session = send_opt_in(assignment=later, url_for=url_for, now=timezone.now())
    quote = session.quote
    assert session.assignment == later and session.url == url_for(session.token)
    assert quote.effective_at == later.effective_at
    assert quote.end_at == later.effective_at + DEFAULT_LENGTH
    assert sorted(quote.lines) == sorted([WC, GL])
    # Once more: the same open link.
    assert send_opt_in(assignment=later, url_for=url_for, now=timezone.now()) == session


def test_completing_it_covers_the_dispatch(
    priya: Contractor, job: WorkJob, product
) -> None:
    later = ticket(priya, job, day=tomorrow(), hour=9)
    session = send_opt_in(assignment=later, url_for=url_for, now=timezone.now())
    complete_application_session(session=session, now=timezone.now())
    later.refresh_from_db()
    assert later.is_covered and later.eligibility_message == ELIGIBLE
    session.quote.refresh_from_db()
    assert later.policy == session.quote.policy
    assert later.premium == 1016


def test_an_expired_link_is_replaced(priya: Contractor, job: WorkJob, product) -> None:
    later = ticket(priya, job, day=tomorrow() + timedelta(days=3), hour=9)
    first = send_opt_in(assignment=later, url_for=url_for, now=timezone.now())
    first.expired_at = timezone.now()
    first.save(update_fields=["expired_at"])
    second = send_opt_in(assignment=later, url_for=url_for, now=timezone.now())
    assert second != first
    assert ApplicationSession.objects.filter(assignment=later).count() == 2


def test_a_started_dispatch_is_not_covered_retroactively(
    priya: Contractor, job: WorkJob, product
) -> None:
    started = ticket(priya, job, day=tomorrow(), hour=9)
    during = started.effective_at + timedelta(minutes=30)
    session = send_opt_in(assignment=started, url_for=url_for, now=during)
    assert session.quote.effective_at == next_day(during)
    complete_application_session(session=session, now=during)
    started.refresh_from_db()
    assert not started.is_covered
    assert started.eligibility_message == POLICY_AFTER_ASSIGNMENT


def test_the_lines_come_from_the_customer_when_the_dispatch_names_none(
    priya: Contractor, platform: Platform, category: CategoryCode, product
) -> None:
    gl_only = Entity.objects.create(
        platform=platform, name="GL only", required_coverage=[CoverageType.GENERAL]
    )
    later = ticket(
        priya,
        make_job(platform, category=category, entity=gl_only),
        day=tomorrow(),
        lines=None,
    )
    assert later.lines == []
    session = send_opt_in(assignment=later, url_for=url_for, now=timezone.now())
    assert session.quote.lines == [GL]


def test_no_opt_in_for_a_cancelled_dispatch(priya: Contractor, job: WorkJob) -> None:
    later = ticket(priya, job, day=tomorrow())
    cancel_assignment(assignment=later, now=timezone.now())
    with pytest.raises(ValidationError, match=re.escape(ASSIGNMENT_CANCELLED)):
        send_opt_in(assignment=later, url_for=url_for, now=timezone.now())


def test_the_opt_in_stands_when_its_dispatch_was_cancelled_meanwhile(
    priya: Contractor, job: WorkJob, product
) -> None:
    later = ticket(priya, job, day=tomorrow())
    session = send_opt_in(assignment=later, url_for=url_for, now=timezone.now())
    cancel_assignment(assignment=later, now=timezone.now())
    policy = complete_application_session(session=session, now=timezone.now())
    later.refresh_from_db()
    assert policy.status == "active"
    assert later.is_cancelled and later.premium == 0


def test_an_api_session_re_decides_the_techs_waiting_dispatch(
    priya: Contractor, job: WorkJob, product
) -> None:
    # A policy bound through the API's quote + session flow is a change to what the
    # tech's live dispatches were decided on (issue 12): one waiting for cover is
    # decided again, and the new policy covers it.
    from coverage.services import create_application_session, create_quote

    waiting = ticket(priya, job, day=tomorrow())
    quote = create_quote(
        contractor=priya,
        job=job,
        lines=[WC, GL],
        effective_at=None,
        end_at=None,
        now=timezone.now(),
    )
    session = create_application_session(
        quote=quote, success_url="", cancel_url="", url_for=url_for, now=timezone.now()
    )
    policy = complete_application_session(session=session, now=timezone.now())
    waiting.refresh_from_db()
    assert waiting.is_covered and waiting.policy == policy
    assert waiting.premium > 0
