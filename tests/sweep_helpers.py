"""What the route sweeps share: every URL pattern of the project, and one of everything
on a platform, built through the services.

``routes()`` walks ``get_resolver()`` itself, so a route added tomorrow is in the
sweeps without anyone listing it; the sweeps fail when they meet a URL parameter
they cannot fill.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from coverage.models import BillingSettings, Certificate, Event, WorkJob
from coverage.payments.sessions import create_payment_session
from coverage.services import (
    create_application_session,
    create_assignment,
    create_invoice,
    create_quote,
)
from coverage.uploads.intake import Upload, upload_certificate
from policies.models import Contact, PolicyLocation, PolicySection
from portal.models import Platform
from tests.conftest import bearer
from tests.coverage.certificate_helpers import (
    addressed_contractor,
    addressed_entity,
    addressed_job,
)
from tests.coverage.helpers import GL, WC, approved_janitorial, bound_policy
from tests.policies import builders

PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Route:
    template: str  # "api/v1/jobs/<job_id>", as Django's path() spells it
    methods: tuple[str, ...]  # what a ninja operation accepts; ALL_METHODS for a view
    name: str
    namespace: str
    pattern: URLPattern

    @property
    def params(self) -> list[str]:
        return [m["name"] for m in PARAM.finditer(self.template)]

    @property
    def area(self) -> str:
        """Which part of the product: api, job, policy, underwriting, admin or portal."""
        head = self.template.split("/", 1)[0]
        return {
            "api": "api",
            "job": "job",
            "policy": "policy",
            "underwriting": "underwriting",
            "admin": "admin",
        }.get(head, "portal")

    def url(self, values: dict[str, Any]) -> str:
        return "/" + PARAM.sub(lambda m: str(values[m["name"]]), self.template)


def _ninja_methods(pattern: URLPattern) -> tuple[str, ...] | None:
    """The methods of a django-ninja path: its view closes over the PathView."""
    for cell in getattr(pattern.callback, "__closure__", None) or ():
        operations = getattr(cell.cell_contents, "operations", None)
        if operations is not None:
            return tuple(sorted({m for op in operations for m in op.methods}))
    return None


def _walk(patterns, prefix: str, namespace: str):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = ":".join(n for n in (namespace, entry.namespace) if n)
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        else:
            yield prefix + str(entry.pattern), namespace, entry


def routes() -> list[Route]:
    """Every route once (ninja lists one pattern per operation of a path)."""
    seen: dict[str, Route] = {}
    for template, namespace, pattern in _walk(get_resolver().url_patterns, "", ""):
        if template in seen:
            continue
        methods = _ninja_methods(pattern) or ALL_METHODS
        seen[template] = Route(
            template, methods, pattern.name or "", namespace, pattern
        )
    return list(seen.values())


def api_client(key: str | None = None, **kwargs: Any) -> Client:
    client = Client(raise_request_exception=False, **kwargs)
    if key:
        client.defaults.update({f"HTTP_{k.upper()}": v for k, v in bearer(key).items()})
    return client


def send(client: Client, method: str, url: str, body: Any = None, **extra: Any):
    """One request; ``body`` is sent as is (a str for JSON, a dict for a form)."""
    if method == "GET":
        return client.get(url, **extra)
    if isinstance(body, dict):
        return client.generic(
            method,
            url,
            _urlencode(body),
            content_type="application/x-www-form-urlencoded",
            **extra,
        )
    return client.generic(
        method, url, body or "", content_type="application/json", **extra
    )


def _urlencode(data: dict[str, Any]) -> str:
    from urllib.parse import urlencode

    return urlencode(data, doseq=True)


def one_of_everything(platform: Platform, platform_key: str) -> dict[str, Any]:
    """A realistic set of `platform`'s objects, each made the way the product makes it."""
    now = timezone.now()
    category = approved_janitorial(platform)
    entity = addressed_entity(platform)
    contractor = addressed_contractor(platform)
    job = addressed_job(platform, category=category, entity=entity)
    policy = bound_policy(contractor, category=category, starts=now - timedelta(days=3))
    # The assignment posts ledger lines and issues the certificate.
    assignment = create_assignment(
        contractor=contractor,
        job=job,
        lines=None,
        effective_at=None,
        end_at=None,
        now=now,
    )
    invoice = create_invoice(
        contractor=contractor,
        job=job,
        gross_pay=1000,
        paycycle_start=now - timedelta(days=1),
        paycycle_end=now,
    )
    quoted_job = WorkJob.objects.create(
        platform=platform,
        entity=entity,
        name="Window washing",
        category_code=category,
        wage=100,
        wage_type=WorkJob.WageType.FLATFEE,
        address_region="PA",
    )
    quote = create_quote(
        contractor=contractor,
        job=quoted_job,
        lines=[GL, WC],
        effective_at=None,
        end_at=None,
        now=now,
    )
    session = create_application_session(
        quote=quote,
        success_url="",
        cancel_url="",
        url_for=lambda token: f"http://testserver/apply/{token}/",
        now=now,
    )
    endpoint = send(
        api_client(platform_key),
        "POST",
        "/api/v1/webhook_endpoints",
        '{"url": "https://dispatch.example.com/hooks"}',
    )
    assert endpoint.status_code == 201, endpoint.content
    platform.hosted_flow_allowed_redirect_hosts = ["dispatch.example.com"]
    platform.save(update_fields=["hosted_flow_allowed_redirect_hosts"])
    BillingSettings.objects.create(platform=platform, contractors_pay_by_card=False)
    payment_session = create_payment_session(
        contractor=contractor, return_url="https://dispatch.example.com/card", now=now
    )
    certificate = Certificate.objects.filter(assignment=assignment).first()
    assert certificate is not None, "the assignment issued no certificate"
    event = Event.objects.filter(platform=platform).order_by("pk").first()
    assert event is not None
    # A tech's own certificate, uploaded against the platform's default requirement
    # (its review waits for the commit, which a sweep's test never makes).
    platform.default_insurance_requirement = {"required_coverage": ["general"]}
    platform.save(update_fields=["default_insurance_requirement"])
    uploaded_certificate = upload_certificate(
        contractor=contractor,
        entity=None,
        upload=Upload(filename="coi.pdf", data=b"%PDF-1.7\n%%EOF\n"),
        now=now,
    )

    # The underwriter's side: a commercial-property submission with coinsurance, and
    # a bound policy.
    txn = builders.draft_submission(platform)
    agreement = builders.agreement_with_parties(txn)
    property_policy = builders.bound_policy(platform)
    return {
        "category": category,
        "entity": entity,
        "contractor": contractor,
        "job": job,
        "policy": policy,
        "assignment": assignment,
        "invoice": invoice,
        "quote": quote,
        "session": session,
        "payment_session": payment_session,
        "endpoint_id": endpoint.json()["id"],
        "certificate": certificate,
        "uploaded_certificate": uploaded_certificate,
        "event": event,
        "txn": txn,
        "agreement": agreement,
        "property_policy": property_policy,
    }


def fill_table(objs: dict[str, Any]) -> dict[tuple[str, str], Any]:
    """(area, URL parameter) → the id of `platform`'s object it names.

    A parameter missing here fails the sweeps, listing the route: a new route has to
    say which object it takes before it can ship.
    """
    txn, agreement = objs["txn"], objs["agreement"]
    location = PolicyLocation.objects.filter(transaction=txn).order_by("number")[0]
    contact = Contact.objects.filter(roles__transaction=txn).order_by("pk")[0]
    party = agreement.parties.order_by("number")[0]
    section = PolicySection.objects.filter(transaction=txn).order_by("pk")[0]
    api = {
        "entity_id": objs["entity"].public_id,
        "contractor_id": objs["contractor"].public_id,
        "job_id": objs["job"].public_id,
        "category_code_id": objs["job"].category_code.public_id,
        "quote_id": objs["quote"].public_id,
        "session_id": objs["session"].public_id,
        "payment_session_id": objs["payment_session"].public_id,
        "policy_id": objs["policy"].public_id,
        "assignment_id": objs["assignment"].public_id,
        "invoice_id": objs["invoice"].public_id,
        "endpoint_id": objs["endpoint_id"],
        "event_id": objs["event"].public_id,
        "number": objs["certificate"].number,
        "certificate_id": objs["uploaded_certificate"].public_id,
    }
    staff_api = {
        "jobId": txn.public_id,
        "policyId": objs["property_policy"].public_id,
        "coinsuranceAgreementId": agreement.short_id,
        "sectionId": section.short_id,
        "locationId": location.short_id,
        "contactId": contact.public_id,
        "locationNamedInsuredId": 1,
        "partyId": party.short_id,
        "priorPolicyId": "ppl_none",  # none built: the key is refused before any lookup
        "towerId": 1,
        "layerId": 1,
        "productId": txn.product.code,
        "producerCodeId": party.producer_code.code,
    }
    underwriting = {
        "policy_id": objs["property_policy"].public_id,
        "transaction_id": txn.public_id,
        "prior_id": "ppl_none",
        "location_number": location.number,
        "contact_id": contact.public_id,
        "number": agreement.number,
        "party_number": party.number,
        "code": section.section_type,
        "certificate_id": objs["uploaded_certificate"].public_id,
    }
    portal = {
        "public_id": objs["assignment"].public_id,  # tickets/ are assignments...
        "number": objs["certificate"].number,
        # The password reset link: a user id and a token that does not match.
        "uidb64": "MQ",
        "token": "set-password",
    }
    table: dict[tuple[str, str], Any] = {}
    for area, values in (
        ("api", api),
        ("job", staff_api),
        ("policy", staff_api),
        ("underwriting", underwriting),
        ("portal", portal),
    ):
        table.update({(area, name): value for name, value in values.items()})
    return table


def portal_value(route: Route, name: str, objs: dict[str, Any], table) -> Any:
    """techs/<public_id> names a contractor, customers/<public_id> an entity,
    tickets/<public_id> an assignment."""
    if route.template.startswith("techs/") and name == "public_id":
        return objs["contractor"].public_id
    if route.template.startswith("customers/") and name == "public_id":
        return objs["entity"].public_id
    return table[("portal", name)]


SNAPSHOT_APPS = ("coverage", "policies", "portal")
# Written by reads on purpose: when a key was last used.
SNAPSHOT_SKIP = {("portal", "apikey"): {"last_used_at"}}


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of the product's own tables, field by field."""
    state: dict[str, list[dict[str, Any]]] = {}
    for label in SNAPSHOT_APPS:
        for model in apps.get_app_config(label).get_models():
            skip = SNAPSHOT_SKIP.get((label, model._meta.model_name), set())
            rows = model._default_manager.order_by("pk").values()
            state[model._meta.label] = [
                {k: v for k, v in row.items() if k not in skip} for row in rows
            ]
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after.get(label)]
