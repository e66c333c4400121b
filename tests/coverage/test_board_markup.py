"""The board's rows and pickers are written in Python (coverage/views/board_html.py):
what people typed prints as text, escaped as the template engine escaped it."""

from __future__ import annotations

import pytest
from django.template import Context, Engine
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from coverage.models import CategoryCode, Entity
from coverage.views.board_html import esc
from portal.models import Platform, User
from tests.coverage.helpers import make_job
from tests.coverage.portal_helpers import HTMX, ticket
from tests.policies.helpers import make_contractor

pytestmark = pytest.mark.django_db

CUSTOMER = '<b>Acme & "Sons"</b>'
TECH = "O'Neil <i>"
JOB = "Roof <script>alert(1)</script>"
LOCALITY = "Hoboken & <Weehawken>"


@pytest.fixture
def marked_up(platform: Platform, category: CategoryCode) -> None:
    tech = make_contractor(platform, email="oneil@example.com")
    tech.first_name, tech.last_name = TECH.split(" ")
    tech.save()
    customer = Entity.objects.create(platform=platform, name=CUSTOMER)
    job = make_job(platform, category=category, entity=customer, name=JOB)
    job.address_locality = LOCALITY
    job.save()
    ticket(tech, job, hour=10)


def test_names_print_escaped_in_the_rows_and_the_pickers(
    marked_up: None, dispatcher: User, client_as
) -> None:
    client = client_as(dispatcher)
    for response in (
        client.get("/board/"),
        client.get("/board/", {"sort": "-premium"}, headers=HTMX),
    ):
        page = response.content.decode()
        assert response.status_code == 200
        assert page.count('data-testid="ticket-row"') == 1
        # In the row (tech, customer, job and locality) and in both pickers.
        assert f">{escape(TECH)}</a></td>" in page
        assert (
            f'<td data-label="Customer and site">{escape(CUSTOMER)}'
            f'<div class="small muted">{escape(JOB)} · {escape(LOCALITY)}</div></td>'
        ) in page
        assert f">{escape(TECH)}</option>" in page
        assert f">{escape(CUSTOMER)}</option>" in page
        for raw in ("<script>", "<b>Acme", "<i>", "<Weehawken>"):
            assert raw not in page


@pytest.mark.parametrize(
    "value",
    [
        "plain text 123 · ümlaut",
        "&",
        "<",
        ">",
        '"',
        "'",
        "a & b < c > d \" e ' f",
        "",
        42,
        None,
        mark_safe("<b>already safe</b>"),
        gettext_lazy("Covered"),
    ],
)
def test_esc_prints_what_the_template_engine_prints(value: object) -> None:
    # esc skips html.escape for a string with nothing to escape: every character it
    # checks for, alone and together, and every kind of value, still prints as
    # {{ value }} does.
    expected = Engine().from_string("{{ v }}").render(Context({"v": value}))
    assert esc(value) == expected
