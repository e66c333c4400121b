"""The dispatcher's day in their own zone: the board, the ticket, the forms, the admin."""

from __future__ import annotations

import html
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from coverage.models import Assignment, CategoryCode, Contractor, WorkJob
from coverage.services import create_assignment
from coverage.views.tickets import TICKET_EXTENDED
from portal.models import Platform, User
from tests.coverage.helpers import GL, WC
from tests.coverage.portal_helpers import opted_in, today

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")


def local(day, hour: int, minute: int = 0, zone: ZoneInfo = NEW_YORK) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def dispatch(contractor: Contractor, job: WorkJob, start: datetime) -> Assignment:
    return create_assignment(
        contractor=contractor,
        job=job,
        lines=[WC, GL],
        effective_at=start,
        end_at=start + timedelta(hours=2),
        now=timezone.now(),
    )


@pytest.fixture
def evening(
    platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    category: CategoryCode,
    product,
    monkeypatch: pytest.MonkeyPatch,
) -> dict:
    """Tomorrow, 19:30 in New Jersey (00:30 the day after in UTC), with two dispatches."""
    platform.time_zone = "America/New_York"
    platform.save()
    opted_in(contractor, category)
    day = today() + timedelta(days=1)
    tonight = dispatch(contractor, job, local(day, 20))  # after midnight UTC
    next_morning = dispatch(contractor, job, local(day + timedelta(days=1), 10))
    now = local(day, 19, 30)
    assert now.astimezone(UTC).date() == day + timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: now.astimezone(UTC))
    return {"day": day, "tonight": tonight, "next_morning": next_morning}


def test_at_19_30_in_new_jersey_the_board_shows_today_not_tomorrow(
    evening: dict, dispatcher: User, client_as
) -> None:
    page = client_as(dispatcher).get("/board/")
    shown = page.content.decode()
    assert page.context["today"] == evening["day"]
    assert [t.assignment for t in page.context["tickets"]] == [evening["tonight"]]
    assert '20:00–22:00 <span class="zone">EST</span>' in shown or (
        '20:00–22:00 <span class="zone">EDT</span>' in shown
    )
    assert "America/New_York" in shown
    # The next local day holds the next morning's dispatch.
    after = (evening["day"] + timedelta(days=1)).isoformat()
    page = client_as(dispatcher).get("/board/", {"day": after})
    assert [t.assignment for t in page.context["tickets"]] == [evening["next_morning"]]


def test_a_dispatcher_in_another_zone_reads_their_own_day(
    evening: dict, dispatcher: User, client_as
) -> None:
    # In UTC it is already the next day, and both dispatches start on it.
    dispatcher.time_zone = "UTC"
    dispatcher.save()
    page = client_as(dispatcher).get("/board/")
    assert page.context["today"] == evening["day"] + timedelta(days=1)
    assert [t.assignment for t in page.context["tickets"]] == [
        evening["tonight"],
        evening["next_morning"],
    ]
    assert '01:00–03:00 <span class="zone">UTC</span>' in page.content.decode()


def test_the_ticket_shows_the_dispatchers_zone_and_the_form_reads_it(
    evening: dict, dispatcher: User, client_as
) -> None:
    tonight = evening["tonight"]
    client = client_as(dispatcher)
    page = client.get(f"/tickets/{tonight.public_id}/").content.decode()
    label = local(evening["day"], 20).tzname()
    day = evening["day"]
    assert f"{day:%b} {day.day}, 20:00–22:00 {label}" in page
    # Every clock on the page is the dispatcher's: only the coverage rule names UTC.
    assert " UTC" not in page.replace("that day in UTC", "")
    # The extend form reads a typed time in the dispatcher's zone, and says so.
    assert f"New end ({label})" in page


def test_a_time_typed_by_the_dispatcher_is_their_local_time(
    evening: dict, dispatcher: User, client_as
) -> None:
    tonight = evening["tonight"]
    day = evening["day"] + timedelta(days=1)
    response = client_as(dispatcher).post(
        f"/tickets/{tonight.public_id}/extend",
        {"end_at": f"{day.isoformat()}T00:00"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    tonight.refresh_from_db()
    # Midnight in New Jersey, said as the end of the day before (the one rule).
    assert tonight.job_end_at == local(day, 0)
    label = local(day, 0).tzname()
    before = evening["day"]
    closing = f"{before:%b} {before.day}, {before:%Y}, 24:00 {label}"
    assert TICKET_EXTENDED.format(id=tonight.public_id, end=closing) in (
        html.unescape(response.content.decode())
    )


def test_the_certificate_reads_in_the_job_sites_zone_whoever_dispatched(
    platform: Platform,
    contractor: Contractor,
    job: WorkJob,
    category: CategoryCode,
    product,
) -> None:
    # The platform reads UTC; the site is in New Jersey, or wherever its override says.
    opted_in(contractor, category)
    start = local(today() + timedelta(days=2), 14)
    covered = dispatch(contractor, job, start)
    site = f"{start:%m/%d/%Y} 14:00 – {start:%m/%d/%Y} 16:00 {start.tzname()}"
    for certificate in covered.certificates.all():
        text = certificate.document["description_of_operations"]
        assert f"Dispatch window: {site}" in text
    job.time_zone = "America/Chicago"
    job.save()
    later = dispatch(contractor, job, start + timedelta(days=1))
    chicago = (start + timedelta(days=1)).astimezone(ZoneInfo("America/Chicago"))
    window = f"{chicago:%m/%d/%Y} 13:00 – {chicago:%m/%d/%Y} 15:00 {chicago.tzname()}"
    texts = [c.document["description_of_operations"] for c in later.certificates.all()]
    assert texts and all(f"Dispatch window: {window}" in t for t in texts)


def test_the_techs_opt_in_page_reads_in_the_job_sites_zone(
    dispatcher: User,
    contractor: Contractor,
    job: WorkJob,
    product,
    client_as,
) -> None:
    from django.test import Client

    from coverage.models import ApplicationSession

    start = local(today() + timedelta(days=2), 14)
    uncovered = dispatch(contractor, job, start)
    client_as(dispatcher).post(f"/tickets/{uncovered.public_id}/opt-in")
    session = ApplicationSession.objects.get()
    page = html.unescape(Client().get(f"/apply/{session.token}/").content.decode())
    begins = session.quote.effective_at.astimezone(NEW_YORK)
    assert f"{begins:%b} {begins.day}, {begins:%Y %H:%M} {begins.tzname()}" in page
    assert " UTC" not in page
