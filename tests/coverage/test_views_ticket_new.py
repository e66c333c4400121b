"""New ticket: the live preview (the services' decision, writing nothing) and Dispatch."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from coverage.forms import (
    BAD_WAGE,
    ENTER_WAGE,
    JOB_OTHER_CUSTOMER,
    PICK_LINES,
    PICK_STATE,
    PICK_TRADE,
    UNKNOWN_CHOICE,
)
from coverage.models import (
    Assignment,
    CategoryCode,
    Contractor,
    Entity,
    Event,
    LedgerEntry,
    Quote,
    WorkJob,
)
from coverage.rating import WC_MONOPOLISTIC_STATE
from coverage.services.dates import EFFECTIVE_IN_PAST
from coverage.services.eligibility import ELIGIBLE, WORK_STATE_MISMATCH
from coverage.views.tickets import PREVIEW_HINT, TICKET_DISPATCHED
from coverage.wording import WAGE_OUT_OF_RANGE_DOLLARS
from portal.models import Platform, User
from tests.coverage.helpers import GL, WC, approved_janitorial, make_entity, make_job
from tests.coverage.portal_helpers import (
    HTMX,
    at,
    capture,
    opted_in,
    tomorrow,
    writes_in,
)
from tests.policies.helpers import make_contractor

pytestmark = pytest.mark.django_db

NEW = "/tickets/new/"
PREVIEW = "/tickets/new/preview"


@pytest.fixture
def terry(contractor: Contractor, category: CategoryCode, product) -> Contractor:
    """Opted in for janitorial work in New Jersey (WC + GL), living in NJ."""
    opted_in(contractor, category)
    return contractor


def form_data(
    tech: Contractor,
    customer: Entity,
    *,
    job: WorkJob | None = None,
    trade: CategoryCode | None = None,
    state: str = "NJ",
    wage: str = "200",
    hour: int = 9,
    **extra: Any,
) -> dict[str, Any]:
    start = at(tomorrow(), hour)
    data = {
        "tech": tech.public_id,
        "customer": customer.public_id,
        "job": job.public_id if job else "",
        "trade": trade.public_id if trade else "",
        "site_line1": "1 Main St",
        "site_city": "Newark" if state == "NJ" else "Somewhere",
        "site_state": state,
        "site_postalcode": "07102",
        "wage": wage,
        "wage_type": "flatfee",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "lines": [WC, GL],
    }
    data.update(extra)
    return data


def preview(client: Client, data: dict[str, Any]) -> str:
    response = client.post(PREVIEW, data, headers=HTMX)
    assert response.status_code == 200
    return response.content.decode()


def field(page: str, testid: str) -> str:
    """The text of the element marked ``data-testid``, unescaped."""
    found = re.search(rf'data-testid="{testid}"[^>]*>([^<]*)<', page)
    assert found, testid
    return html.unescape(found.group(1).strip())


def counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count() for m in (Assignment, WorkJob, LedgerEntry, Event, Quote)
    )


# ---------------------------------------------------------------------------
# Who may


def test_anonymous_users_sign_in_first() -> None:
    response = Client().get(NEW)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("role", ["underwriter", "support"])
def test_only_dispatchers_dispatch(
    role: str, request: pytest.FixtureRequest, client_as, entity: Entity, terry
) -> None:
    client = client_as(request.getfixturevalue(role))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form_data(terry, entity)).status_code == 403
    assert client.post(PREVIEW, form_data(terry, entity)).status_code == 403
    assert Assignment.objects.count() == 0


def test_the_pickers_offer_only_the_platforms_own_techs_customers_jobs_and_trades(
    dispatcher: User,
    terry: Contractor,
    entity: Entity,
    job: WorkJob,
    other_platform: Platform,
    client_as,
) -> None:
    rival = make_contractor(other_platform, email="rival@example.com")
    rival_customer = make_entity(other_platform, name="Rival Customer")
    rival_trade = approved_janitorial(other_platform)
    rival_job = make_job(other_platform, category=rival_trade, name="Rival job")
    client = client_as(dispatcher)
    page = client.get(NEW).content.decode()
    # The page lists no tech, customer or job: its pickers search for them.
    for ours in (terry.public_id, entity.public_id, job.public_id):
        assert ours not in page
    offered = "".join(
        client.get(url).content.decode()
        for url in ("/pickers/techs/", "/pickers/customers/", "/pickers/jobs/")
    )
    for ours in (terry.public_id, entity.public_id, job.public_id):
        assert f'data-value="{ours}"' in offered
    for theirs in (rival.public_id, rival_customer.public_id, rival_job.public_id):
        assert theirs not in offered
    assert escape(PREVIEW_HINT) in page


def test_another_platforms_tech_is_not_a_choice(
    dispatcher: User, entity: Entity, other_platform: Platform, client_as
) -> None:
    rival = make_contractor(other_platform, email="rival@example.com")
    response = client_as(dispatcher).post(NEW, form_data(rival, entity, trade=None))
    assert response.status_code == 422
    assert UNKNOWN_CHOICE in response.content.decode()
    assert Assignment.objects.count() == 0


def test_links_from_elsewhere_prefill_the_form(
    dispatcher: User, terry: Contractor, job: WorkJob, client_as
) -> None:
    response = client_as(dispatcher).get(
        NEW, {"tech": terry.public_id, "job": job.public_id}
    )
    form = response.context["form"]
    assert form.initial["tech"] == terry.public_id
    assert form.initial["job"] == job.public_id


# ---------------------------------------------------------------------------
# The live preview


def test_preview_of_a_covered_ticket_shows_routing_net_rate_and_premium(
    dispatcher: User, terry: Contractor, entity: Entity, job: WorkJob, client_as
) -> None:
    html = preview(client_as(dispatcher), form_data(terry, entity, job=job))
    assert field(html, "preview-verdict") == "Covered"
    assert field(html, "preview-message") == ELIGIBLE
    # $200 of pay: WC NJ 9410 at 4.13 per $100 = $8.26, GL NJ 96816 at 0.95 = $1.90.
    assert re.findall(r'data-testid="preview-class">(\w+)<', html) == ["96816", "9410"]
    assert "$4.13" in html and "$8.26" in html and "$1.90" in html
    assert field(html, "preview-premium") == "$10.16"


def test_preview_follows_the_state_and_the_wage(
    dispatcher: User,
    terry: Contractor,
    entity: Entity,
    category: CategoryCode,
    client_as,
) -> None:
    client = client_as(dispatcher)
    in_nj = preview(client, form_data(terry, entity, trade=category))
    assert field(in_nj, "preview-premium") == "$10.16"
    # Seed 001: the same tech and trade in Pennsylvania routes WC to 9405 there, and
    # the NJ opt-in does not cover it.
    in_pa = preview(client, form_data(terry, entity, trade=category, state="PA"))
    assert field(in_pa, "preview-verdict") == "Not covered"
    assert field(in_pa, "preview-message") == WORK_STATE_MISMATCH
    assert "9405" in in_pa
    assert field(in_pa, "preview-premium") == "$0.00"
    # What an opt-in would cost there: $200 × (2.87 + 0.95) per $100.
    assert "a ticket on these terms costs $7.64" in in_pa
    higher = preview(client, form_data(terry, entity, trade=category, wage="300"))
    assert field(higher, "preview-premium") == "$15.24"


def test_preview_writes_nothing(
    dispatcher: User,
    terry: Contractor,
    entity: Entity,
    category: CategoryCode,
    client_as,
) -> None:
    client = client_as(dispatcher)
    before = counts()
    with capture() as queries:
        preview(client, form_data(terry, entity, trade=category))
        preview(client, form_data(terry, entity, trade=category, state="PA"))
    # The session's last-login bookkeeping is the test client's, not the preview's.
    assert [q for q in writes_in(queries) if "django_session" not in q] == []
    assert counts() == before


def test_preview_says_what_is_still_needed(
    dispatcher: User, terry: Contractor, entity: Entity, client_as
) -> None:
    html = preview(
        client_as(dispatcher),
        form_data(terry, entity, site_state="", wage="", lines=[]),
    )
    assert (
        field(html, "preview-missing")
        == "Still needed: Trade, State, Wage ($), Coverage."
    )


def test_preview_shows_refusals_in_words(
    dispatcher: User,
    terry: Contractor,
    entity: Entity,
    category: CategoryCode,
    client_as,
) -> None:
    client = client_as(dispatcher)
    bad_wage = preview(client, form_data(terry, entity, trade=category, wage="lots"))
    assert BAD_WAGE in bad_wage
    past = form_data(terry, entity, trade=category)
    past["starts_at"] = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert EFFECTIVE_IN_PAST in preview(client, past)
    ohio = preview(client, form_data(terry, entity, trade=category, state="OH"))
    assert field(ohio, "preview-message") == WORK_STATE_MISMATCH
    assert escape(WC_MONOPOLISTIC_STATE.format(state_name="Ohio", state="OH")) in ohio


def test_a_non_htmx_preview_renders_the_whole_form(
    dispatcher: User, terry: Contractor, entity: Entity, job: WorkJob, client_as
) -> None:
    # The "Preview" button works without JavaScript too.
    response = client_as(dispatcher).post(PREVIEW, form_data(terry, entity, job=job))
    page = response.content.decode()
    assert "<html" in page and 'data-testid="ticket-form"' in page
    assert field(page, "preview-premium") == "$10.16"


# ---------------------------------------------------------------------------
# Dispatch


def test_dispatch_an_existing_job_lands_on_the_ticket(
    dispatcher: User, terry: Contractor, entity: Entity, job: WorkJob, client_as
) -> None:
    client = client_as(dispatcher)
    shown = preview(client, form_data(terry, entity, job=job))
    response = client.post(NEW, form_data(terry, entity, job=job))
    assignment = Assignment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{assignment.public_id}/"
    # What the preview said is what the service recorded.
    assert assignment.eligible and assignment.eligibility_message == ELIGIBLE
    assert field(shown, "preview-premium") == "$10.16"
    assert assignment.premium == 1016
    assert assignment.effective_at == at(tomorrow(), 9)
    assert sorted(assignment.lines) == sorted([WC, GL])
    assert LedgerEntry.objects.filter(assignment=assignment).count() == 2
    assert assignment.certificates.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert TICKET_DISPATCHED.format(id=assignment.public_id, status="covered") in page


def test_dispatch_with_a_new_job_creates_it_through_the_service(
    dispatcher: User,
    terry: Contractor,
    entity: Entity,
    category: CategoryCode,
    client_as,
) -> None:
    response = client_as(dispatcher).post(
        NEW, form_data(terry, entity, trade=category, state="PA", wage="249.50")
    )
    assert response.status_code == 302
    job = WorkJob.objects.get()
    assert (job.entity, job.category_code, job.wage) == (entity, category, 24_950)
    assert (job.address_region, job.address_locality) == ("PA", "Somewhere")
    assert job.name == "Janitorial services, 1 Main St"
    assignment = Assignment.objects.get()
    assert assignment.job == job
    assert assignment.eligibility_message == WORK_STATE_MISMATCH
    assert assignment.premium == 0


def test_an_htmx_dispatch_redirects_the_browser(
    dispatcher: User, terry: Contractor, entity: Entity, job: WorkJob, client_as
) -> None:
    response = client_as(dispatcher).post(
        NEW, form_data(terry, entity, job=job), headers=HTMX
    )
    assignment = Assignment.objects.get()
    assert response["HX-Redirect"] == f"/tickets/{assignment.public_id}/"


@pytest.mark.parametrize(
    ("changes", "field_name", "message"),
    [
        ({"job": "", "trade": ""}, "trade", PICK_TRADE),
        ({"job": "", "site_state": ""}, "site_state", PICK_STATE),
        ({"job": "", "wage": ""}, "wage", ENTER_WAGE),
        ({"job": "", "wage": "0.50"}, "wage", WAGE_OUT_OF_RANGE_DOLLARS),
        ({"job": "", "wage": "10000000.01"}, "wage", WAGE_OUT_OF_RANGE_DOLLARS),
        ({"job": "", "wage": "99999999999"}, "wage", WAGE_OUT_OF_RANGE_DOLLARS),
        ({"job": "", "wage": "12.345"}, "wage", BAD_WAGE),
        ({"lines": []}, "lines", PICK_LINES),
    ],
)
def test_form_errors_are_inline_and_in_words(
    dispatcher: User,
    terry: Contractor,
    entity: Entity,
    job: WorkJob,
    client_as,
    changes: dict[str, Any],
    field_name: str,
    message: str,
) -> None:
    data = {**form_data(terry, entity, job=job, trade=None), **changes}
    client = client_as(dispatcher)
    response = client.post(NEW, data)
    assert response.status_code == 422
    assert field(response.content.decode(), f"error-{field_name}") == message
    # HTMX gets the form's inside, with the same errors, to swap in place.
    swapped = client.post(NEW, data, headers=HTMX)
    assert swapped.status_code == 422
    assert "<html" not in swapped.content.decode()
    assert field(swapped.content.decode(), f"error-{field_name}") == message
    assert Assignment.objects.count() == 0


def test_a_refused_window_leaves_no_new_job_behind(
    dispatcher: User,
    terry: Contractor,
    entity: Entity,
    category: CategoryCode,
    client_as,
) -> None:
    data = form_data(terry, entity, trade=category)
    data["starts_at"] = (timezone.now() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    response = client_as(dispatcher).post(NEW, data)
    assert response.status_code == 422
    assert field(response.content.decode(), "error-starts_at") == EFFECTIVE_IN_PAST
    assert (WorkJob.objects.count(), Assignment.objects.count()) == (0, 0)


def test_a_job_of_another_customer_is_refused(
    dispatcher: User, terry: Contractor, job: WorkJob, platform: Platform, client_as
) -> None:
    other = make_entity(platform, name="Other Customer")
    response = client_as(dispatcher).post(NEW, form_data(terry, other, job=job))
    assert response.status_code == 422
    assert field(response.content.decode(), "error-job") == JOB_OTHER_CUSTOMER.format(
        job_customer=job.entity.name, customer=other.name
    )
