"""An underwriter works in the portal with a real browser (chromium through Playwright):
coinsurance with the live share meter, prior policies on a draft and on a bound
policy, a location named insured, and binding the submission."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from policies.models import (
    CoinsuranceParty,
    LocationNamedInsured,
    Policy,
    PolicyTransaction,
    PriorPolicy,
    TransactionStatus,
)
from policies.services.coinsurance import SHARES_OVER_100
from portal.models import Platform, Role
from tests.browser.conftest import screenshot, second_factor
from tests.conftest import PASSWORD, make_user
from tests.policies.builders import bound_policy, draft_submission, producer_codes


@pytest.fixture
def platform(transactional_db: None) -> Platform:
    return Platform.objects.create(name="Acme Field Services")


@pytest.fixture
def signed_in(page: Page, live_server, platform: Platform) -> Page:
    make_user("uma", Role.UNDERWRITER)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("uma")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    second_factor(page, live_server.url, "uma")
    expect(page.get_by_test_id("current-user")).to_be_visible()
    return page


def meter_total(page: Page, meter_id: str):
    return page.locator(f"#{meter_id} [data-testid=share-total]")


def settled(page: Page) -> None:
    """Wait until htmx has finished swapping and wired up the new content: until
    then, typing into a just-swapped input would send no request."""
    page.wait_for_function(
        "() => !document.querySelector("
        "'.htmx-added, .htmx-request, .htmx-settling, .htmx-swapping')"
    )


def test_coinsurance_agreement_with_two_parties_and_the_share_meter(
    signed_in: Page, live_server, platform: Platform, csp_violations: list[str]
) -> None:
    page = signed_in
    txn = draft_submission(platform)
    producer_codes()
    page.goto(f"{live_server.url}/underwriting/transactions/{txn.public_id}/")
    page.get_by_role("link", name="Coinsurance").click()
    expect(page).to_have_url(re.compile(r"/coinsurance/$"))

    # A section-level agreement: the meter follows our share as it is typed.
    new = page.get_by_test_id("new-agreement")
    new.get_by_label("Our share (%)").fill("50")
    expect(meter_total(page, "meter-new")).to_have_text("50 %")
    new.get_by_label("Motor (MO)").check()
    new.get_by_label("Policy number suffix").fill("MotorA")
    new.get_by_role("button", name="Create agreement").click()
    card = page.locator("article.agreement").first
    expect(card.get_by_role("heading", level=2)).to_contain_text("MotorA")
    agreement = txn_agreement(txn)
    meter = f"meter-{agreement}"
    expect(meter_total(page, meter)).to_have_text("50 %")
    settled(page)

    # First party, found by searching the producer codes.
    add = page.get_by_test_id(f"add-party-{agreement}")
    add.get_by_label("Find a producer code").fill("Enigma")
    expect(
        add.get_by_label("Producer code", exact=True).locator("option")
    ).to_have_count(1)
    add.get_by_label("Share (%)").fill("30")
    expect(meter_total(page, meter)).to_have_text("80 %")
    add.get_by_role("button", name="Add party").click()
    expect(card.get_by_test_id("party")).to_have_count(1)
    settled(page)

    # Second party brings the agreement to exactly 100 %.
    add = page.get_by_test_id(f"add-party-{agreement}")
    add.get_by_label("Find a producer code").fill("QA1PRODUCERCODE02")
    expect(
        add.get_by_label("Producer code", exact=True).locator("option")
    ).to_have_count(1)
    add.get_by_label("Share (%)").fill("20")
    expect(meter_total(page, meter)).to_have_text("100 %")
    add.get_by_role("button", name="Add party").click()
    expect(card.get_by_test_id("party")).to_have_count(2)
    settled(page)

    # A third at 1 %: the meter warns as it is typed, and the add is refused inline.
    refusal = SHARES_OVER_100.format(total="101")
    add = page.get_by_test_id(f"add-party-{agreement}")
    add.get_by_label("Find a producer code").fill("QA1PRODUCERCODE03")
    expect(
        add.get_by_label("Producer code", exact=True).locator("option")
    ).to_have_count(1)
    add.get_by_label("Share (%)").fill("1")
    expect(meter_total(page, meter)).to_have_text("101 %")
    expect(page.locator(f"#{meter} [data-testid=share-refusal]")).to_have_text(refusal)
    add.get_by_role("button", name="Add party").click()
    expect(page.get_by_test_id("party-share-error")).to_have_text(refusal)
    assert CoinsuranceParty.objects.count() == 2
    settled(page)

    # Remove the second party: the meter goes back to 80 %.
    page.get_by_role("button", name="Remove Harbor Re").click()
    expect(card.get_by_test_id("party")).to_have_count(1)
    expect(meter_total(page, meter)).to_have_text("80 %")
    screenshot(page, "underwriting-coinsurance")
    assert csp_violations == []


def txn_agreement(txn: PolicyTransaction) -> int:
    from policies.models import CoinsuranceAgreement

    return CoinsuranceAgreement.objects.get(transaction=txn).number


def test_prior_policies_on_a_draft_submission_and_on_a_bound_policy(
    signed_in: Page, live_server, platform: Platform, csp_violations: list[str]
) -> None:
    page = signed_in
    txn = draft_submission(platform)
    page.goto(f"{live_server.url}/underwriting/transactions/{txn.public_id}/")
    page.get_by_role("link", name="Prior policies", exact=True).click()

    form = page.get_by_test_id("prior-add-form")
    form.get_by_label("Carrier").fill("Interstate Insurance")
    form.get_by_label("Policy number").fill("BNL-123312-2")
    form.get_by_label("Effective date").fill("2021-10-13")
    form.get_by_label("Annual premium").fill("617.00")
    form.get_by_role("button", name="Add prior policy").click()
    expect(page.get_by_test_id("prior-row")).to_have_count(1)
    expect(page.get_by_test_id("prior-count")).to_have_text("1")
    settled(page)

    # A wrong amount is refused inline, in the services' words.
    page.get_by_role("link", name="Edit prior policy BNL-123312-2").click()
    settled(page)
    edit = page.get_by_test_id("prior-edit-form")
    edit.get_by_label("Number of losses").fill("1")
    edit.get_by_label("Total losses").fill("5721.134")
    edit.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("prior-edit-form")).to_contain_text(
        "The total losses has at most two decimal places."
    )
    settled(page)
    page.get_by_test_id("prior-edit-form").get_by_label("Total losses").fill("5721.13")
    page.get_by_test_id("prior-edit-form").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("prior-losses")).to_have_text("1")
    expect(page.get_by_test_id("prior-total-losses")).to_have_text("$5,721.13")
    prior = PriorPolicy.objects.get(transaction=txn)
    assert prior.num_losses == 1

    # On a bound policy, the policy itself takes the edits.
    policy = bound_policy(platform)
    page.goto(f"{live_server.url}/underwriting/policies/{policy.public_id}/")
    page.get_by_role("link", name="Prior policies", exact=True).click()
    form = page.get_by_test_id("prior-add-form")
    form.get_by_label("Carrier").fill("CommuteCoverage")
    form.get_by_label("Policy number").fill("CO-43221-3")
    form.get_by_label("Effective date").fill("2021-09-04")
    form.get_by_role("button", name="Add prior policy").click()
    expect(page.get_by_test_id("prior-row")).to_have_count(1)
    settled(page)
    page.get_by_role("link", name="Edit prior policy CO-43221-3").click()
    settled(page)
    page.get_by_test_id("prior-edit-form").get_by_label("Number of losses").fill("0")
    page.get_by_test_id("prior-edit-form").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("prior-row")).to_contain_text("CommuteCoverage")
    expect(page.get_by_test_id("prior-losses")).to_have_text("0")
    assert (
        PriorPolicy.objects.get(transaction=policy.contents_transaction).num_losses == 0
    )
    assert csp_violations == []


def test_associate_a_location_named_insured_and_bind_the_submission(
    signed_in: Page, live_server, platform: Platform, csp_violations: list[str]
) -> None:
    page = signed_in
    txn = draft_submission(platform)
    page.goto(f"{live_server.url}/underwriting/transactions/{txn.public_id}/")
    location = page.get_by_test_id("location-1")
    location.get_by_label("Associate contact").select_option(label="Mike Sherman")
    location.get_by_role("button", name="Associate").click()
    expect(
        page.get_by_test_id("location-1").get_by_test_id("named-insured")
    ).to_have_text(re.compile("Mike Sherman"))
    # The association gave Mike the additional-named-insured role.
    mike = page.get_by_test_id("contact").filter(has_text="Mike Sherman")
    expect(mike).to_contain_text("Additional named insured")
    settled(page)
    assert LocationNamedInsured.objects.filter(transaction=txn).count() == 1

    # Bind is disabled on a draft and says why; quote, then bind.
    bind = page.get_by_role("button", name="Bind and issue")
    expect(bind).to_be_disabled()
    expect(page.locator("#actions")).to_contain_text(
        "Cannot take action 'bind-and-issue': the job's status is 'Draft'"
    )
    page.get_by_role("button", name="Quote").click()
    expect(page.get_by_test_id("transaction-status")).to_have_text("Quoted")
    page.get_by_role("button", name="Bind and issue").click()
    expect(page.get_by_test_id("transaction-status")).to_have_text("Bound")
    txn.refresh_from_db()
    assert txn.status == TransactionStatus.BOUND
    policy = Policy.objects.get(pk=txn.policy_id)

    page.get_by_role("link", name=policy.number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(policy.number)
    expect(page.get_by_test_id("history")).to_contain_text("Bound")
    expect(page.get_by_test_id("history")).to_contain_text("uma (underwriter)")
    screenshot(page, "underwriting-policy")
    assert csp_violations == []
