"""Crews and routes (issue 12): one ticket sends several techs to one job, each with their
own assignment, eligibility, routing and certificates; one tech's day crosses states and
each dispatch routes to its own state and class. Through /api/v1 and the portal."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from coverage.models import (
    Assignment,
    CategoryCode,
    Certificate,
    Contractor,
    Entity,
    LedgerEntry,
    WorkJob,
)
from coverage.services import eligibility, ledger
from portal.models import Platform, User
from tests.coverage.helpers import WC, ApiClient, bound_policy, make_job, unix
from tests.coverage.portal_helpers import HTMX, at, opted_in, tomorrow
from tests.coverage.test_views_ticket_new import NEW, PREVIEW, form_data
from tests.policies.helpers import make_contractor

pytestmark = pytest.mark.django_db

# $200 of pay, janitorial: NJ WC 9410 826¢ + GL 96816 190¢; PA WC 9405 574¢.
NJ_PREMIUM, PA_WC, NJ_GL = 1016, 574, 190


def dispatch(api: ApiClient, contractor: Contractor, job: WorkJob, **body) -> dict:
    response = api.post(
        "/assignments",
        {"contractor": contractor.public_id, "job": job.public_id, **body},
    )
    assert response.status_code == 201, response.content
    return response.json()


def in_force(assignment_id: str) -> dict[str, Certificate]:
    return {
        c.line: c
        for c in Certificate.objects.filter(
            assignment__public_id=assignment_id, status=Certificate.Status.ISSUED
        )
    }


def printed(certificate: Certificate) -> str:
    return json.dumps(certificate.document, ensure_ascii=False)


def marked(html: str, testid: str, attribute: str) -> list[str]:
    """``attribute`` of every element marked ``data-testid``, in page order."""
    return re.findall(rf'data-testid="{testid}"[^>]*?{attribute}="([^"]*)"', html)


@pytest.fixture
def crew(platform: Platform, contractor: Contractor, category: CategoryCode, product):
    """Terry and Pia opted in for NJ janitorial work; Uma never opted in."""
    pia = make_contractor(platform, email="pia@example.com", state="NJ")
    uma = make_contractor(platform, email="uma@example.com", state="NJ")
    # Their own names, to tell their certificates apart.
    Contractor.objects.filter(pk=pia.pk).update(first_name="Pia", last_name="Park")
    Contractor.objects.filter(pk=uma.pk).update(first_name="Uma", last_name="Ueda")
    pia.refresh_from_db()
    uma.refresh_from_db()
    for tech in (contractor, pia):
        opted_in(tech, category)
    return contractor, pia, uma


class TestCrewThroughTheApi:
    def test_three_techs_one_job_one_not_covered(
        self,
        api: ApiClient,
        platform: Platform,
        job: WorkJob,
        crew: tuple[Contractor, Contractor, Contractor],
        dispatcher: User,
        client_as,
    ) -> None:
        start = at(tomorrow(), 9)
        window = {
            "effective_date": unix(start),
            "end_date": unix(start + timedelta(hours=3)),
        }
        sent = [dispatch(api, tech, job, **window) for tech in crew]

        # Each tech has their own dispatch, decision, policy and premium.
        assert len({a["id"] for a in sent}) == 3
        assert {a["job"] for a in sent} == {job.public_id}
        assert [a["eligible"]["result"] for a in sent] == [True, True, False]
        assert sent[2]["eligible"]["message"] != eligibility.ELIGIBLE
        assert sent[0]["policy"] != sent[1]["policy"]
        assert sent[2]["policy"] is None
        assert [a["premium"] for a in sent] == [NJ_PREMIUM, NJ_PREMIUM, 0]
        assert [a["rating"]["wc"]["class_code"] for a in sent[:2]] == ["9410", "9410"]
        assert ledger.total(platform=platform) == 2 * NJ_PREMIUM
        # ...and their own certificates, naming them; none for the uncovered tech.
        terry_wc, pia_wc = in_force(sent[0]["id"])[WC], in_force(sent[1]["id"])[WC]
        assert terry_wc.number != pia_wc.number
        assert crew[0].legal_name in printed(terry_wc)
        assert crew[1].legal_name in printed(pia_wc)
        assert crew[1].legal_name not in printed(terry_wc)
        assert in_force(sent[2]["id"]) == {}
        assert not LedgerEntry.objects.filter(assignment__public_id=sent[2]["id"])

        # The board shows the crew under one ticket, each member with their coverage.
        client = client_as(dispatcher)
        board = client.get("/board/", {"day": tomorrow().isoformat()}).content.decode()
        assert marked(board, "crew-row", "data-crew-size") == ["3"]
        assert "2 of 3 covered" in board
        rows = re.findall(
            r'class="ticket-row status-(\w+) crew-member"[^>]*data-ticket="(an_\w+)"',
            board,
        )
        assert rows == [
            ("covered", sent[0]["id"]),
            ("covered", sent[1]["id"]),
            ("not_covered", sent[2]["id"]),
        ]

        # The uncovered tech's ticket lists the whole crew and who is covered.
        page = client.get(f"/tickets/{sent[2]['id']}/").content.decode()
        assert "Crew of 3" in page
        members = re.findall(
            r'data-testid="crew-member" data-ticket="(an_\w+)" data-status="(\w+)"',
            page,
        )
        assert members == [
            (sent[0]["id"], "covered"),
            (sent[1]["id"], "covered"),
            (sent[2]["id"], "not_covered"),
        ]

        # Cancelling one member (the API narrows by contractor) leaves the others.
        cancelled = api.post(
            "/assignments/cancel",
            {"job_id": job.public_id, "contractor": crew[2].public_id},
        )
        assert cancelled.status_code == 200, cancelled.content
        assert cancelled.json()["id"] == sent[2]["id"]
        assert [
            Assignment.objects.get(public_id=a["id"]).is_cancelled for a in sent
        ] == [False, False, True]
        board = client.get("/board/", {"day": tomorrow().isoformat()}).content.decode()
        assert marked(board, "crew-row", "data-crew-size") == ["2"]
        assert "2 of 2 covered" in board

    def test_a_tech_alone_is_no_crew(
        self,
        api: ApiClient,
        job: WorkJob,
        crew: tuple[Contractor, Contractor, Contractor],
        dispatcher: User,
        client_as,
    ) -> None:
        start = at(tomorrow(), 9)
        alone = dispatch(api, crew[0], job, effective_date=unix(start))
        # The same job again later that day is another visit, not a crew.
        later = dispatch(
            api, crew[1], job, effective_date=unix(start + timedelta(hours=4))
        )
        client = client_as(dispatcher)
        board = client.get("/board/", {"day": tomorrow().isoformat()}).content.decode()
        assert 'data-testid="crew-row"' not in board
        assert alone["id"] in board and later["id"] in board
        assert (
            'data-testid="crew"'
            not in client.get(f"/tickets/{alone['id']}/").content.decode()
        )


class TestCrewFromThePortal:
    def test_preview_per_tech_then_one_ticket_for_the_crew(
        self,
        crew: tuple[Contractor, Contractor, Contractor],
        entity: Entity,
        category: CategoryCode,
        dispatcher: User,
        client_as,
    ) -> None:
        terry, pia, uma = crew
        client = client_as(dispatcher)
        data = form_data(
            terry, entity, trade=category, crew=[pia.public_id, uma.public_id]
        )

        shown = client.post(PREVIEW, data, headers=HTMX).content.decode()
        assert marked(shown, "preview-tech", "data-tech") == [
            terry.public_id,
            pia.public_id,
            uma.public_id,
        ]
        verdicts = re.findall(r'data-testid="preview-verdict">([^<]+)<', shown)
        assert verdicts == ["Covered", "Covered", "Not covered"]
        assert re.findall(r'data-testid="preview-premium">([^<]+)<', shown) == [
            "$10.16",
            "$10.16",
            "$0.00",
        ]
        assert 'data-testid="crew-premium">$20.32<' in shown
        assert Assignment.objects.count() == 0  # the preview writes nothing

        response = client.post(NEW, data)
        assert response.status_code == 302
        made = list(Assignment.objects.order_by("pk"))
        assert [a.contractor for a in made] == [terry, pia, uma]
        assert len({a.job_id for a in made}) == 1  # one new job for the crew
        assert WorkJob.objects.count() == 1
        assert [a.is_covered for a in made] == [True, True, False]
        assert response["Location"] == f"/tickets/{made[0].public_id}/"
        page = client.get(response["Location"]).content.decode()
        job_name = made[0].job.name
        assert f"Crew of 3 dispatched to {job_name}: 2 covered, 1 not covered." in (
            page.replace("&#x27;", "'")
        )
        assert marked(page, "crew-member", "data-status") == [
            "covered",
            "covered",
            "not_covered",
        ]

    def test_a_refused_crew_writes_nothing(
        self,
        crew: tuple[Contractor, Contractor, Contractor],
        entity: Entity,
        category: CategoryCode,
        dispatcher: User,
        client_as,
    ) -> None:
        terry, pia, uma = crew
        data = form_data(
            terry,
            entity,
            trade=category,
            crew=[pia.public_id, uma.public_id],
            lines=["nonsense"],
        )
        response = client_as(dispatcher).post(NEW, data)
        assert response.status_code == 422
        assert (Assignment.objects.count(), WorkJob.objects.count()) == (0, 0)

    def test_the_tech_in_the_crew_twice_is_dispatched_once(
        self,
        crew: tuple[Contractor, Contractor, Contractor],
        entity: Entity,
        job: WorkJob,
        dispatcher: User,
        client_as,
    ) -> None:
        terry, pia, _ = crew
        data = form_data(terry, entity, job=job, crew=[terry.public_id, pia.public_id])
        assert client_as(dispatcher).post(NEW, data).status_code == 302
        assert [a.contractor for a in Assignment.objects.order_by("pk")] == [
            terry,
            pia,
        ]

    def test_another_platforms_tech_cannot_join_the_crew(
        self,
        crew: tuple[Contractor, Contractor, Contractor],
        entity: Entity,
        job: WorkJob,
        other_platform: Platform,
        dispatcher: User,
        client_as,
    ) -> None:
        rival = make_contractor(other_platform, email="rival@example.com")
        data = form_data(crew[0], entity, job=job, crew=[rival.public_id])
        response = client_as(dispatcher).post(NEW, data)
        assert response.status_code == 422
        assert 'data-testid="error-crew"' in response.content.decode()
        assert Assignment.objects.count() == 0


def test_a_two_state_route(
    api: ApiClient,
    platform: Platform,
    contractor: Contractor,
    category: CategoryCode,
    entity: Entity,
    job: WorkJob,
    product,
    dispatcher: User,
    client_as,
) -> None:
    """Seed 001: NJ in the morning bills 9410; across the river next morning, 9405."""
    nj_policy = bound_policy(contractor, category=category)
    pa_policy = bound_policy(contractor, category=category, wc_state="PA")
    pa_job = make_job(
        platform, category=category, entity=entity, state="PA", name="Depot cleaning"
    )
    morning = at(tomorrow(), 8)
    next_morning = morning + timedelta(days=1)
    # Reported out of order: the route is the dispatches' order, not the reports'.
    pa = dispatch(
        api,
        contractor,
        pa_job,
        effective_date=unix(next_morning),
        end_date=unix(next_morning + timedelta(hours=4)),
    )
    nj = dispatch(
        api,
        contractor,
        job,
        effective_date=unix(morning),
        end_date=unix(morning + timedelta(hours=4)),
    )

    assert (nj["policy"], pa["policy"]) == (nj_policy.public_id, pa_policy.public_id)
    assert (nj["rating"]["wc"]["state"], nj["rating"]["wc"]["class_code"]) == (
        "NJ",
        "9410",
    )
    assert (pa["rating"]["wc"]["state"], pa["rating"]["wc"]["class_code"]) == (
        "PA",
        "9405",
    )
    # General liability follows the tech's home state on both legs.
    assert nj["rating"]["gl"]["state"] == pa["rating"]["gl"]["state"] == "NJ"
    assert (nj["premium"], pa["premium"]) == (NJ_PREMIUM, PA_WC + NJ_GL)
    assert "State: NJ · Class 9410" in printed(in_force(nj["id"])[WC])
    assert "State: PA · Class 9405" in printed(in_force(pa["id"])[WC])

    # The tech page shows the route in time order, each leg's state and class.
    page = client_as(dispatcher).get(f"/techs/{contractor.public_id}/").content.decode()
    route = page[page.index('data-testid="route"') : page.index('id="history"')]
    assert marked(route, "route-stop", "data-ticket") == [nj["id"], pa["id"]]
    assert marked(route, "route-stop", "data-state") == ["NJ", "PA"]
    classes = re.findall(r'data-testid="route-classes">(.*?)</td>', route)
    assert "WC NJ 9410" in classes[0] and "WC PA 9405" not in classes[0]
    assert "WC PA 9405" in classes[1]
    assert marked(route, "route-stop", "data-status") == ["covered", "covered"]
