"""Every picker scales (issue 15): techs, customers and jobs are searched as the
dispatcher types (``/pickers/…``), never written into the page; the search is scoped
to the user's platform on the server, answers at most 20 rows in three queries, and
the forms post the same field names as the selects did."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from coverage.forms import PICK_TECH, UNKNOWN_CHOICE
from coverage.forms.picker_search import BAD_PICKER_SEARCH
from coverage.models import Assignment, CategoryCode, Contractor, Entity, WorkJob
from portal.models import Platform, User
from portal.pickers import MANY_MATCH, NO_MATCH, NOTHING_MATCHES, SHOWN, TYPE_MORE
from tests.coverage.big_platform import JOBS, TECHS, seed_platform
from tests.coverage.helpers import approved_janitorial, make_entity, make_job
from tests.coverage.portal_helpers import HTMX, opted_in
from tests.coverage.test_views_ticket_new import NEW, PREVIEW, form_data
from tests.policies.helpers import make_contractor

pytestmark = pytest.mark.django_db

TECHS_URL = "/pickers/techs/"
CUSTOMERS_URL = "/pickers/customers/"
JOBS_URL = "/pickers/jobs/"
PAGE_BUDGET = 100 * 1024

# A search, statement by statement: each name is a word of the statement it stands for.
SEARCH_QUERIES = [
    ("the session", "django_session"),
    ("the user, with their platform", "portal_user"),
    ("at most 21 matches (one more than shown: are there more?)", "LIMIT 21"),
]
# The new-ticket page of a big platform: the same three as of a small one.
NEW_TICKET_QUERIES = [
    ("the session", "django_session"),
    ("the user, with their platform", "portal_user"),
    ("the platform's trades (a short list: the approved categories)", "categorycode"),
]


def values(page: str) -> list[str]:
    """The ids the listbox offers, in order."""
    return re.findall(r'data-value="([^"]+)"', page)


def search(client: Client, url: str, **params: Any) -> str:
    response = client.get(url, params, headers=HTMX)
    assert response.status_code == 200, response.content
    return response.content.decode()


def named(captured: CaptureQueriesContext, expected: list[tuple[str, str]]) -> None:
    sent = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(sent) == len(expected), "\n".join(sent)
    for sql, (name, word) in zip(sent, expected, strict=True):
        assert word in sql, f"{name}: {sql[:300]}"


@pytest.fixture
def terry(contractor: Contractor, category: CategoryCode, product) -> Contractor:
    opted_in(contractor, category)
    return contractor


# ---------------------------------------------------------------------------
# The search endpoints


def test_a_search_finds_by_every_word_and_shows_at_most_twenty(
    dispatcher: User, platform: Platform, client_as
) -> None:
    for i in range(SHOWN + 5):
        Contractor.objects.create(
            platform=platform,
            first_name="Alex",
            last_name=f"Smith{i:02}",
            email=f"alex{i}@example.com",
        )
    client = client_as(dispatcher)
    page = search(client, TECHS_URL, q="alex")
    assert len(values(page)) == SHOWN
    assert escape(TYPE_MORE) in page
    # Alphabetical by last name: the first twenty Smiths.
    assert "Alex Smith00" in page and "Alex Smith19" in page
    assert "Alex Smith20" not in page
    one = search(client, TECHS_URL, q="alex smith07")
    assert len(values(one)) == 1 and "alex7@example.com" in one
    assert TYPE_MORE not in one
    nothing = search(client, TECHS_URL, q="zebra")
    assert values(nothing) == []
    assert escape(NOTHING_MATCHES.format(q="zebra")) in nothing


def test_customers_and_jobs_by_name_city_and_customer(
    dispatcher: User, platform: Platform, category: CategoryCode, client_as
) -> None:
    harbor = make_entity(platform, name="Harbor Property Group")
    bayside = make_entity(platform, name="Bayside Offices")
    lobby = make_job(platform, category=category, entity=harbor, name="Lobby clean")
    roof = make_job(platform, category=category, entity=bayside, name="Roof check")
    WorkJob.objects.filter(pk=roof.pk).update(address_locality="Camden")
    client = client_as(dispatcher)
    assert values(search(client, CUSTOMERS_URL, q="harb")) == [harbor.public_id]
    assert values(search(client, JOBS_URL, q="camden")) == [roof.public_id]
    # The customer's name finds its jobs; the label says whose job it is.
    found = search(client, JOBS_URL, q="harbor")
    assert values(found) == [lobby.public_id]
    assert escape("Harbor Property Group — Lobby clean") in found
    # The job picker sends the chosen customer along: only that customer's jobs.
    assert values(search(client, JOBS_URL, customer=bayside.public_id)) == [
        roof.public_id
    ]
    # A deleted job is not offered.
    WorkJob.objects.filter(pk=lobby.pk).update(deleted_at=lobby.created_at)
    assert values(search(client, JOBS_URL, q="lobby")) == []


def test_a_dispatcher_never_finds_another_platforms_rows(
    dispatcher: User,
    terry: Contractor,
    entity: Entity,
    job: WorkJob,
    other_platform: Platform,
    outsider: User,
    client_as,
) -> None:
    rival = make_contractor(other_platform, email="rival@example.com")
    rival_customer = make_entity(other_platform, name="Rival Customer")
    rival_job = make_job(
        other_platform, category=approved_janitorial(other_platform), name="Rival job"
    )
    client = client_as(dispatcher)
    theirs = {rival.public_id, rival_customer.public_id, rival_job.public_id}
    for url, row in (
        (TECHS_URL, rival),
        (CUSTOMERS_URL, rival_customer),
        (JOBS_URL, rival_job),
    ):
        # By name (Terry Tech is on both platforms), by id, and asking for their
        # platform outright: only our rows, or nothing.
        for params in (
            {"q": "terry"},
            {"q": row.public_id},
            {"q": "rival"},
            {"platform": other_platform.public_id},
            {"platform": other_platform.public_id, "q": row.public_id},
        ):
            assert not theirs & set(values(search(client, url, **params))), params
    assert values(search(client, TECHS_URL, q="terry")) == [terry.public_id]
    # The other platform's own dispatcher finds them.
    assert values(search(client_as(outsider), TECHS_URL, q="terry")) == [
        rival.public_id
    ]


def test_an_underwriter_searches_the_platform_asked_for(
    underwriter: User, terry: Contractor, other_platform: Platform, client_as
) -> None:
    rival = make_contractor(other_platform, email="rival@example.com")
    client = client_as(underwriter)
    assert set(values(search(client, TECHS_URL, q="terry"))) == {
        terry.public_id,
        rival.public_id,
    }
    narrowed = search(client, TECHS_URL, q="terry", platform=other_platform.public_id)
    assert values(narrowed) == [rival.public_id]


@pytest.mark.parametrize("url", [TECHS_URL, CUSTOMERS_URL, JOBS_URL])
def test_who_may_search(url: str, support: User, client_as) -> None:
    assert Client().get(url)["Location"].startswith("/login/")
    assert client_as(support).get(url).status_code == 403


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "x" * 101}, BAD_PICKER_SEARCH),
        ({"platform": "not-an-id"}, "That link is broken: it names no platform."),
        ({"customer": "cn_wrongkind"}, "That link is broken: it names no customer."),
    ],
)
def test_bad_input_is_said_in_the_list_never_a_500(
    params: dict[str, str], message: str, dispatcher: User, client_as
) -> None:
    response = client_as(dispatcher).get(JOBS_URL, params, headers=HTMX)
    # 422: htmx swaps it in, where the dispatcher is looking.
    assert response.status_code == 422
    assert escape(message) in response.content.decode()


def test_a_search_is_three_named_queries_on_a_big_platform(
    dispatcher: User, platform: Platform, category: CategoryCode, client_as
) -> None:
    seed_platform(platform, category)
    client = client_as(dispatcher)
    for url, q in ((TECHS_URL, "bulk01"), (CUSTOMERS_URL, "client"), (JOBS_URL, "")):
        with CaptureQueriesContext(connection) as captured:
            page = search(client, url, q=q)
        named(captured, SEARCH_QUERIES)
        assert len(values(page)) == SHOWN and escape(TYPE_MORE) in page
    with CaptureQueriesContext(connection) as captured:
        page = search(client, JOBS_URL, q="site visit 1999")
    named(captured, SEARCH_QUERIES)
    # 01999, 11999 and 19990–19999 hold "1999".
    assert len(values(page)) == 12


# ---------------------------------------------------------------------------
# The new-ticket page and its form, through the pickers


def test_the_new_ticket_page_of_a_big_platform_is_small_and_three_queries(
    dispatcher: User, platform: Platform, category: CategoryCode, client_as
) -> None:
    seed_platform(platform, category)
    assert Contractor.objects.filter(platform=platform).count() >= TECHS
    assert WorkJob.objects.filter(platform=platform).count() >= JOBS
    client = client_as(dispatcher)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(NEW)
    assert response.status_code == 200
    named(captured, NEW_TICKET_QUERIES)
    assert len(response.content) <= PAGE_BUDGET, len(response.content)
    page = response.content.decode()
    for name in ("tech", "customer", "job", "crew"):
        assert f'aria-controls="id_{name}-listbox"' in page
    assert "Bulk0001" not in page and "Site visit" not in page


def test_the_pickers_render_as_comboboxes_with_a_hidden_id(
    dispatcher: User, terry: Contractor, job: WorkJob, client_as
) -> None:
    page = (
        client_as(dispatcher)
        .get(NEW, {"tech": terry.public_id, "job": job.public_id})
        .content.decode()
    )
    tech = re.search(r'<input type="text" id="id_tech"[^>]*>', page, re.S)
    assert tech, page
    box = tech.group(0)
    for attribute in (
        'role="combobox"',
        'aria-expanded="false"',
        'aria-controls="id_tech-listbox"',
        'name="tech_search"',
        'hx-get="/pickers/techs/"',
        'hx-trigger="input changed delay:200ms, picker:open"',
        'value="Terry Tech (NJ)"',
    ):
        assert attribute in box, attribute
    assert f'<input type="hidden" name="tech" value="{terry.public_id}"' in page
    assert f'<input type="hidden" name="job" value="{job.public_id}"' in page
    assert 'id="id_tech-listbox" class="picker-list" role="listbox" hidden' in page
    # The job search sends the chosen customer; the keyboard is in a static file.
    assert 'hx-include="[name=customer]"' in page
    assert re.search(r'<script src="/static/js/picker\.js" defer', page)
    assert "<script>" not in page


def test_a_ticket_dispatched_through_the_pickers_hidden_fields(
    dispatcher: User, terry: Contractor, entity: Entity, job: WorkJob, client_as
) -> None:
    # What a browser posts: each picker's hidden id and its text box.
    data = form_data(
        terry,
        entity,
        job=job,
        tech_search="Terry Tech (NJ)",
        customer_search=entity.name,
        job_search="whatever the box shows",
    )
    response = client_as(dispatcher).post(NEW, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    made = Assignment.objects.get()
    assert (made.contractor, made.job) == (terry, job)


def test_without_javascript_a_typed_name_is_resolved_on_the_server(
    dispatcher: User,
    terry: Contractor,
    entity: Entity,
    job: WorkJob,
    platform: Platform,
    client_as,
) -> None:
    client = client_as(dispatcher)
    data = form_data(terry, entity, job=job)
    data.update(tech="", tech_search="terry", customer="", customer_search="harbor")
    assert client.post(NEW, data).status_code == 302
    assert Assignment.objects.get().contractor == terry

    # Two Terrys: the form says so and keeps what was typed.
    Contractor.objects.create(
        platform=platform, first_name="Terry", last_name="Other", email="t2@x.example"
    )
    again = client.post(NEW, {**data, "starts_at": "2099-01-01T09:00"})
    assert again.status_code == 422
    page = again.content.decode()
    assert escape(MANY_MATCH.format(text="terry")) in page
    assert 'name="tech_search" value="terry"' in page
    nobody = client.post(NEW, {**data, "tech_search": "zebra"}).content.decode()
    assert escape(NO_MATCH.format(text="zebra")) in nobody
    empty = client.post(NEW, {**data, "tech_search": ""}).content.decode()
    assert escape(PICK_TECH) in empty


def test_a_form_shown_again_keeps_the_chosen_labels(
    dispatcher: User, terry: Contractor, entity: Entity, client_as
) -> None:
    # A new job without a wage: refused, re-shown with the tech and customer kept.
    data = form_data(terry, entity, wage="", tech_search="T", customer_search="H")
    response = client_as(dispatcher).post(NEW, data)
    assert response.status_code == 422
    page = response.content.decode()
    assert 'name="tech_search" value="Terry Tech (NJ)"' in page
    assert f'name="customer_search" value="{escape(entity.name)}"' in page
    assert f'<input type="hidden" name="tech" value="{terry.public_id}"' in page


def test_the_crew_posts_its_chips_and_is_shown_again_as_chips(
    dispatcher: User,
    terry: Contractor,
    entity: Entity,
    job: WorkJob,
    platform: Platform,
    client_as,
) -> None:
    priya = Contractor.objects.create(
        platform=platform,
        first_name="Priya",
        last_name="Patel",
        email="priya@example.com",
        address_region="NJ",
    )
    client = client_as(dispatcher)
    data = form_data(terry, entity, job=job, crew=[priya.public_id], crew_search="")
    shown = client.post(PREVIEW, data, headers=HTMX).content.decode()
    assert shown.count('data-testid="preview-tech"') == 2
    # Refused (no coverage line), the crew comes back as a chip with its hidden id.
    refused = client.post(NEW, {**data, "lines": []})
    assert refused.status_code == 422
    bad = refused.content.decode()
    assert f'<input type="hidden" name="crew" value="{priya.public_id}">' in bad
    assert "Take Priya Patel (NJ) off" in bad
    assert client.post(NEW, data).status_code == 302
    assert {a.contractor for a in Assignment.objects.all()} == {terry, priya}


def test_the_tech_page_repeat_check_and_the_upload_link_pick_by_search(
    dispatcher: User, terry: Contractor, job: WorkJob, client_as
) -> None:
    client = client_as(dispatcher)
    tech_page = client.get(f"/techs/{terry.public_id}/").content.decode()
    assert job.public_id not in tech_page
    assert f'hx-get="/pickers/jobs/?platform={terry.platform.public_id}"' in tech_page
    asked = client.get(
        f"/techs/{terry.public_id}/",
        {"job": job.public_id, "job_search": "x"},
        headers=HTMX,
    )
    assert asked.status_code == 200
    assert escape(job.name) in asked.content.decode()

    own = f"/techs/{terry.public_id}/certificates/"
    page = client.get(own).content.decode()
    assert job.entity.public_id not in page
    assert 'name="link_search"' in page and 'name="entity_search"' in page
    linked = client.get(own, {"link": "", "link_search": job.entity.name})
    assert 'data-testid="upload-link"' in linked.content.decode()
    unknown = client.get(own, {"link": "", "link_search": "nobody at all"})
    assert escape(NO_MATCH.format(text="nobody at all")) in unknown.content.decode()


def test_a_nul_in_a_picker_is_refused_in_words_not_a_500(
    dispatcher: User, terry: Contractor, entity: Entity, client_as
) -> None:
    client = client_as(dispatcher)
    for odd in ({"tech": "cn_\x00x"}, {"tech": "", "tech_search": "ter\x00ry"}):
        data = {**form_data(terry, entity), **odd}
        for url in (NEW, PREVIEW):
            response = client.post(url, data, headers=HTMX)
            assert response.status_code in (200, 422), url
            assert escape(UNKNOWN_CHOICE) in response.content.decode()
    assert Assignment.objects.count() == 0
    assert client.get(TECHS_URL, {"q": "a\x00b"}).status_code == 422
