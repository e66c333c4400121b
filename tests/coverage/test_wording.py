"""Coverage in plain words: one sentence per message of the coverage check, events and
banners that say what happened in its colour."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.utils import timezone

from coverage.models import (
    ApplicationSession,
    Assignment,
    CategoryCode,
    Contractor,
    Entity,
    WorkJob,
)
from coverage.payments.rules import CARD_DECLINED, CHARGE_PENDING, NO_CARD
from coverage.services import cancel_assignment
from coverage.services.eligibility import (
    CATEGORY_MISMATCH,
    ELIGIBLE,
    ENTITY_REQUIREMENT_UNMET,
    INVALID_JOB_CATEGORY,
    NO_ACTIVE_POLICY,
    NO_ACTIVE_POLICY_STATES,
    NO_ADDRESS,
    NO_COVERAGE,
    NO_JOB_CATEGORY,
    POLICY_AFTER_ASSIGNMENT,
    REQUIRES_LINE,
    RESIDENCE_STATE_MISMATCH,
    WORK_STATE_MISMATCH,
)
from coverage.views.apply import SESSION_COMPLETE_PAGE
from coverage.wording import ADVICE, coverage_advice, event_words
from portal.models import User
from tests.coverage.helpers import make_job
from tests.coverage.portal_helpers import opted_in, ticket, tomorrow
from tests.coverage.test_views_ticket_new import NEW, field, form_data, preview

pytestmark = pytest.mark.django_db

# Seed 000's table of eligibility messages (its "false" rows and the "true" one), the
# category mismatch from its example, and the card messages the product adds.
SEED_MESSAGES = [
    ELIGIBLE,
    NO_JOB_CATEGORY,
    INVALID_JOB_CATEGORY,
    NO_ADDRESS,
    RESIDENCE_STATE_MISMATCH,
    WORK_STATE_MISMATCH,
    NO_ACTIVE_POLICY,
    NO_ACTIVE_POLICY_STATES,
    NO_COVERAGE,
    POLICY_AFTER_ASSIGNMENT,
    CATEGORY_MISMATCH,
]
PRODUCT_MESSAGES = [
    CHARGE_PENDING,
    NO_CARD,
    CARD_DECLINED.format(reason="Your card has insufficient funds."),
    ENTITY_REQUIREMENT_UNMET.format(
        requirement=REQUIRES_LINE.format(line="workers' compensation")
    ),
]
FACTS = {
    "tech": "Terry",
    "work_state": "PA",
    "home_state": "NY",
    "policy_work_state": "NJ",
    "trade": "Janitorial",
    "customer": "Harbor Point",
}


def test_the_seed_table_is_what_the_check_says() -> None:
    # Verbatim from seed 000 (the API's contract), so the advice covers the real texts.
    assert WORK_STATE_MISMATCH == (
        "Job work state does not match the work state associated with the active policy."
    )
    assert NO_ACTIVE_POLICY_STATES == (
        "No active policy associated with contractor. Check that work state and "
        "residence state match the active policy."
    )
    assert set(SEED_MESSAGES) <= set(ADVICE)


@pytest.mark.parametrize("message", SEED_MESSAGES + PRODUCT_MESSAGES)
def test_every_message_has_one_plain_sentence(message: str) -> None:
    advice = coverage_advice(message, **FACTS)
    assert advice != message
    assert "{" not in advice and "}" not in advice
    assert advice.endswith(".")
    # Says who it is about, in the dispatcher's terms, not the API's.
    assert "Terry" in advice or "job" in advice
    assert "contractor" not in advice.lower()


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            WORK_STATE_MISMATCH,
            "Terry's policy covers NJ work; this job is in PA. "
            "Send an opt-in link to cover PA.",
        ),
        (
            RESIDENCE_STATE_MISMATCH,
            "Terry's policy was written for another home state; Terry now lives in "
            "NY. Send an opt-in link to cover Terry from NY.",
        ),
        (
            CATEGORY_MISMATCH,
            "Terry's policy covers another trade; this job is Janitorial. Send an "
            "opt-in link to cover Janitorial.",
        ),
        (
            NO_ACTIVE_POLICY,
            "Terry has not opted in yet. Send an opt-in link: the job is covered "
            "once Terry completes it.",
        ),
        (
            ENTITY_REQUIREMENT_UNMET.format(
                requirement=REQUIRES_LINE.format(line="workers' compensation")
            ),
            "Harbor Point's requirements are not met: it requires workers' "
            "compensation, which Terry's policy does not carry. Send an opt-in link "
            "with the cover Harbor Point requires.",
        ),
        (ELIGIBLE, "Terry is covered for this job."),
    ],
)
def test_the_sentence_names_the_states_and_the_action(
    message: str, expected: str
) -> None:
    assert coverage_advice(message, **FACTS) == expected


def test_an_unknown_message_is_shown_as_it_is() -> None:
    assert coverage_advice("Something new.", tech="Terry") == "Something new."


def test_without_the_policys_state_it_still_reads() -> None:
    assert coverage_advice(WORK_STATE_MISMATCH, tech="Terry", work_state="PA") == (
        "Terry's policy covers another state's work; this job is in PA. Send an "
        "opt-in link to cover PA."
    )


def test_events_say_what_happened_and_only_deciding_events_judge() -> None:
    covered = {"eligible": {"result": True, "message": ELIGIBLE}}
    assert event_words("assignment.created", covered) == "Dispatched: covered."
    assert event_words("assignment.cancelled", covered) == (
        "Cancelled; its premium was reversed."
    )
    refused = {"eligible": {"result": False, "message": NO_ACTIVE_POLICY}}
    assert event_words("assignment.updated", refused) == (
        f"Changed: not covered ({NO_ACTIVE_POLICY})"
    )


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_a_cancelled_ticket_reads_cancelled_not_pre_approved(
    dispatcher: User,
    contractor: Contractor,
    job: WorkJob,
    category: CategoryCode,
    product,
    client_as,
) -> None:
    opted_in(contractor, category)
    covered = ticket(contractor, job, day=tomorrow(), hour=9)

    cancel_assignment(assignment=covered, reason="", now=timezone.now())
    page = text(client_as(dispatcher).get(f"/tickets/{covered.public_id}/"))
    assert "Cancelled; its premium was reversed." in page
    assert "Dispatched: covered." in page
    events = page.split('data-testid="events"')[1].split("</ol>")[0]
    assert "Cancelled; its premium was reversed." in events
    assert f"assignment.cancelled — {ELIGIBLE}" not in events
    assert events.count(ELIGIBLE) == 0


def test_a_dispatch_that_is_not_covered_gets_a_warning_not_a_success(
    dispatcher: User,
    contractor: Contractor,
    entity: Entity,
    category: CategoryCode,
    product,
    client_as,
) -> None:
    client = client_as(dispatcher)
    response = client.post(NEW, form_data(contractor, entity, trade=category))
    assert response.status_code == 302
    assignment = Assignment.objects.get()
    assert not assignment.is_covered
    page = text(client.get(response["Location"]))
    advice = ADVICE[NO_ACTIVE_POLICY].format(tech=contractor.first_name)
    assert f'class="message message-warning">Ticket {assignment.public_id}' in page
    assert advice in page
    assert "message-success" not in page


def test_a_covered_dispatch_is_a_success(
    dispatcher: User,
    contractor: Contractor,
    entity: Entity,
    category: CategoryCode,
    product,
    client_as,
) -> None:
    opted_in(contractor, category)
    client = client_as(dispatcher)
    response = client.post(NEW, form_data(contractor, entity, trade=category))
    page = text(client.get(response["Location"]))
    assert 'class="message message-success">Ticket ' in page


def test_an_opt_in_pending_ticket_does_not_also_say_no_policy(
    dispatcher: User,
    platform,
    contractor: Contractor,
    category: CategoryCode,
    product,
    client_as,
) -> None:
    uncovered = ticket(
        contractor, make_job(platform, category=category), day=tomorrow(), hour=15
    )
    client = client_as(dispatcher)
    client.post(f"/tickets/{uncovered.public_id}/opt-in")
    board = text(client.get("/board/", {"day": tomorrow().isoformat()}))
    row = board.split(f'data-ticket="{uncovered.public_id}"')[1].split("</tr>")[0]
    assert "covered once the tech completes it" in row
    assert ADVICE[NO_ACTIVE_POLICY].format(tech=contractor.first_name) not in row
    assert NO_ACTIVE_POLICY not in row
    # The tech's first opt-in does not say they had "already" opted in.
    session = ApplicationSession.objects.get()
    done = Client().post(
        f"/apply/{session.token}/opt-in", {"attest": "on"}, follow=True
    )
    shown = text(done)
    assert SESSION_COMPLETE_PAGE in shown and "already" not in shown.lower()


def test_the_live_preview_says_it_in_plain_words_too(
    dispatcher: User,
    contractor: Contractor,
    entity: Entity,
    category: CategoryCode,
    product,
    client_as,
) -> None:
    opted_in(contractor, category)  # New Jersey
    page = preview(
        client_as(dispatcher), form_data(contractor, entity, trade=category, state="PA")
    )
    assert field(page, "preview-message") == WORK_STATE_MISMATCH
    assert field(page, "preview-advice") == (
        f"{contractor.first_name}'s policy covers another state's work; this job is "
        "in PA. Send an opt-in link to cover PA."
    )


def test_a_link_sent_after_the_dispatch_started_says_it_cannot_cover_it(
    dispatcher: User,
    platform,
    contractor: Contractor,
    category: CategoryCode,
    product,
    client_as,
) -> None:
    started = ticket(
        contractor,
        make_job(platform, category=category),
        day=timezone.now().date(),
        hour=0,
        hours=30,
    )
    assert started.effective_at < timezone.now()
    client = client_as(dispatcher)
    client.post(f"/tickets/{started.public_id}/opt-in")
    session = ApplicationSession.objects.get()
    assert session.quote.effective_at > started.effective_at
    shown = text(client.get(f"/tickets/{started.public_id}/"))
    assert "completing it cannot cover this ticket" in shown
    assert "covered once the tech completes it" not in shown


def test_after_an_opt_in_the_techs_other_tickets_say_what_the_new_policy_does(
    dispatcher: User,
    platform,
    contractor: Contractor,
    category: CategoryCode,
    product,
    client_as,
) -> None:
    newark = ticket(
        contractor, make_job(platform, category=category), day=tomorrow(), hour=9
    )
    across = ticket(
        contractor,
        make_job(platform, category=category, state="PA"),
        day=tomorrow(),
        hour=15,
    )
    client = client_as(dispatcher)
    client.post(f"/tickets/{newark.public_id}/opt-in")
    session = ApplicationSession.objects.get()
    Client().post(f"/apply/{session.token}/opt-in", {"attest": "on"})
    newark.refresh_from_db()
    across.refresh_from_db()
    assert newark.is_covered
    # The PA ticket is decided again: no longer "has not opted in", but what is true.
    assert across.eligibility_message == WORK_STATE_MISMATCH
    board = text(client.get("/board/", {"day": tomorrow().isoformat()}))
    row = board.split(f'data-ticket="{across.public_id}"')[1].split("</tr>")[0]
    name = contractor.first_name
    assert (
        f"{name}'s policy covers NJ work; this job is in PA. Send an opt-in link to "
        "cover PA."
    ) in row
