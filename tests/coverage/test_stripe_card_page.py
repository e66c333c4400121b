"""The hosted card page under Stripe: a Stripe Elements field mounted with the publishable
key and the client secret of a SetupIntent made at the (local, Stripe-shaped) server;
the page posts back only the confirmed SetupIntent. The sandbox keeps its own form."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from coverage.models import BillingSettings, CardOnFile, Contractor, PaymentSession
from coverage.payments.stripe import CARD_NOT_CONFIRMED
from portal.models import Platform
from tests.coverage.helpers import ApiClient
from tests.coverage.stripe_server import KEY, StripeState, confirm_setup, stripe_server

pytestmark = pytest.mark.django_db

RETURN = "https://dispatch.example.com/card-done"
PUBLISHABLE = "pk_test_51LocalPublishableKey"


@pytest.fixture
def hosts(platform: Platform) -> BillingSettings:
    platform.hosted_flow_allowed_redirect_hosts = ["dispatch.example.com"]
    platform.save(update_fields=["hosted_flow_allowed_redirect_hosts"])
    return BillingSettings.objects.create(platform=platform)


@pytest.fixture
def on_stripe(settings) -> Iterator[StripeState]:
    with stripe_server() as (state, base):
        settings.PAYMENT_PROCESSOR = "stripe"
        settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE = KEY, base
        settings.STRIPE_PUBLISHABLE_KEY = PUBLISHABLE
        yield state


def open_page(api: ApiClient, contractor: Contractor) -> tuple[Client, str, str]:
    made = api.post(
        "/payment/sessions", {"contractor": contractor.public_id, "return_url": RETURN}
    )
    assert made.status_code == 201, made.content
    path = made.json()["url"].removeprefix("http://testserver")
    client = Client(enforce_csrf_checks=True)
    response = client.get(path)
    assert response.status_code == 200
    return client, path, response


def attribute(page: str, name: str) -> str:
    found = re.search(rf'{name}="([^"]*)"', page)
    assert found, f"no {name} on the page"
    return html.unescape(found.group(1))


def test_the_page_mounts_stripe_elements_with_the_setup_intents_secret(
    api: ApiClient, hosts, contractor: Contractor, on_stripe: StripeState
) -> None:
    client, path, response = open_page(api, contractor)
    page = response.content.decode()

    [intent] = on_stripe.setup_intents.values()
    assert intent["usage"] == "off_session"
    assert attribute(page, "data-client-secret") == intent["client_secret"]
    assert attribute(page, "data-publishable-key") == PUBLISHABLE
    assert 'data-testid="stripe-card"' in page
    assert '<script src="https://js.stripe.com/v3/" defer></script>' in page
    assert "/static/js/stripe_card.js" in page
    # No card number field of ours: the number goes to Stripe only.
    assert 'name="card_number"' not in page
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' https://js.stripe.com" in csp
    assert "frame-src https://js.stripe.com https://hooks.stripe.com" in csp
    assert "https://api.stripe.com" in csp

    # What Stripe.js does in the browser, then the page's post of the SetupIntent id.
    confirm_setup(on_stripe, intent["id"], "pm_card_visa")
    token = client.cookies["csrftoken"].value
    saved = client.post(
        path + "card", {"csrfmiddlewaretoken": token, "setup_intent": intent["id"]}
    )
    assert saved.status_code == 302
    location = urlsplit(saved["Location"])
    assert parse_qs(location.query)["status"] == ["completed"]
    card = CardOnFile.objects.get()
    assert (card.processor, card.brand, card.last4) == ("stripe", "visa", "4242")
    assert card.customer_ref == intent["customer"]
    assert PaymentSession.objects.get().status == "completed"


def test_an_unconfirmed_setup_intent_is_refused_on_the_page(
    api: ApiClient, hosts, contractor: Contractor, on_stripe: StripeState
) -> None:
    client, path, _ = open_page(api, contractor)
    [intent] = on_stripe.setup_intents.values()
    token = client.cookies["csrftoken"].value
    for value in (intent["id"], "", "4242424242424242"):
        refused = client.post(
            path + "card", {"csrfmiddlewaretoken": token, "setup_intent": value}
        )
        assert refused.status_code == 400
        assert CARD_NOT_CONFIRMED in refused.content.decode()
    assert not CardOnFile.objects.exists()
    assert PaymentSession.objects.get().status == "pending"


def test_the_sandbox_keeps_its_own_test_card_form(
    api: ApiClient, hosts, contractor: Contractor
) -> None:
    _, _, response = open_page(api, contractor)
    page = response.content.decode()
    assert 'name="card_number"' in page
    assert "js.stripe.com" not in page
    assert "js.stripe.com" not in response["Content-Security-Policy"]
