"""The 50-way races of issue 14, from outside: two live web hosts on one database.

- One idempotency key, fifty requests: one assignment, every answer the same 201.
- Fifty keys, one dispatch: one assignment, forty-nine 409s in the API's format.
- Fifty coinsurance parties of 2 % racing onto an agreement at 50 %: exactly
  twenty-five get in and the total stops at 100 %, never over.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

import pytest

from coverage.models import Assignment, LedgerEntry
from coverage.services import ledger
from coverage.services.dispatch_windows import DUPLICATE_DISPATCH
from policies.models import CoinsuranceParty, Organization, ProducerCode
from portal.models import Platform
from tests.coverage.helpers import approved_janitorial, bound_policy, make_job
from tests.policies.conftest import Api, make_property_product, submission_attributes
from tests.policies.helpers import contractor_product, make_contractor
from tests.policies.test_api_coinsurance import agreement, created, party_body
from tests.reliability.servers import web_hosts

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 50
# $200 of pay at NJ's net rates: WC 826 ¢ + GL 190 ¢.
PREMIUM = 1016


def send(url: str, key: str, body: dict, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
            **headers,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def race(calls: list) -> tuple[list[tuple[int, bytes]], float]:
    """Run the calls at once (a barrier), each in its own thread."""
    barrier = threading.Barrier(len(calls))
    answers: list[tuple[int, bytes]] = []
    lock = threading.Lock()

    def run(call) -> None:
        barrier.wait()
        try:
            answer = call()
        except OSError as error:  # a refused or reset connection is an answer too
            answer = (0, repr(error).encode())
        with lock:
            answers.append(answer)

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    return answers, time.monotonic() - started


@pytest.fixture(scope="module")
def hosts(django_db_setup: None, django_db_blocker) -> Iterator[list[str]]:
    """Two production-shaped web hosts, shared by the races (each test's rows are its own)."""
    with django_db_blocker.unblock(), web_hosts(2, gunicorn=True) as urls:
        yield urls


@pytest.fixture
def dispatch(requires_postgres: None, platform: Platform) -> dict:
    category = approved_janitorial(platform)
    contractor_product()
    contractor = make_contractor(platform, email="terry@example.com", state="NJ")
    job = make_job(platform, category=category)
    bound_policy(contractor, category=category)
    return {"contractor": contractor.public_id, "job": job.public_id}


def test_fifty_requests_with_one_key_make_one_assignment(
    platform: Platform, platform_key: str, dispatch: dict, hosts: list[str]
) -> None:
    answers, elapsed = race(
        [
            lambda host=hosts[n % 2]: send(
                f"{host}/api/v1/assignments",
                platform_key,
                dispatch,
                {"Ten99Policy-Idempotent-Key": "one-key"},
            )
            for n in range(RACERS)
        ]
    )
    statuses = Counter(status for status, _ in answers)
    charges = LedgerEntry.objects.filter(kind="charge").count()
    print(
        f"\n{RACERS} racing requests, one key, 2 hosts: {dict(statuses)}; "
        f"{Assignment.objects.count()} assignment, {charges} ledger charges, "
        f"{ledger.total(platform=platform)} ¢ booked in {elapsed:.1f} s"
    )
    assert statuses == {201: RACERS}
    assert len({body for _, body in answers}) == 1  # the replays are the original
    assert Assignment.objects.count() == 1
    assert charges == 2
    assert ledger.total(platform=platform) == PREMIUM


def test_fifty_keys_for_one_dispatch_make_one_assignment(
    platform: Platform, platform_key: str, dispatch: dict, hosts: list[str]
) -> None:
    answers, elapsed = race(
        [
            lambda n=n: send(
                f"{hosts[n % 2]}/api/v1/assignments",
                platform_key,
                dispatch,
                {"Ten99Policy-Idempotent-Key": f"key-{n}"},
            )
            for n in range(RACERS)
        ]
    )
    statuses = Counter(status for status, _ in answers)
    refusals = [json.loads(body) for status, body in answers if status != 201]
    print(
        f"\n{RACERS} racing requests, distinct keys, 2 hosts: {dict(statuses)}; "
        f"{Assignment.objects.count()} assignment, "
        f"{ledger.total(platform=platform)} ¢ booked in {elapsed:.1f} s"
    )
    assert statuses == {201: 1, 409: RACERS - 1}
    assert all(r["message"] == DUPLICATE_DISPATCH for r in refusals)
    assert Assignment.objects.count() == 1
    assert ledger.total(platform=platform) == PREMIUM


def test_fifty_coinsurers_never_take_the_agreement_past_100_percent(
    requires_postgres: None, platform: Platform, staff_key: str, hosts: list[str]
) -> None:
    api = Api(staff_key)
    contractor = make_contractor(platform)
    job = created(
        api.post(
            "/job/v1/submissions",
            submission_attributes(contractor, make_property_product()),
        )
    )["links"]["self"]["href"]
    url = agreement(api, job)  # our share: 50 %
    market = Organization.objects.create(name="The Market")
    codes = ProducerCode.objects.bulk_create(
        ProducerCode(code=f"RACE{n:04d}", organization=market) for n in range(RACERS)
    )
    bodies = [
        party_body(code, "2")
        for code in ProducerCode.objects.filter(pk__in=[c.pk for c in codes])
    ]
    answers, elapsed = race(
        [
            lambda n=n: send(
                f"{hosts[n % 2]}{url}/parties",
                staff_key,
                {"data": {"attributes": bodies[n]}},
                {},
            )
            for n in range(RACERS)
        ]
    )
    statuses = Counter(status for status, _ in answers)
    shares = list(CoinsuranceParty.objects.values_list("share", flat=True))
    total = Decimal("50") + sum(shares, Decimal(0))
    print(
        f"\n{RACERS} coinsurers of 2 % racing onto 50 %, 2 hosts: {dict(statuses)}; "
        f"{len(shares)} parties, total {total} % in {elapsed:.1f} s"
    )
    assert statuses == {201: 25, 400: 25}, [a for a in answers if a[0] != 201][:3]
    assert len(shares) == 25
    assert total == Decimal("100")
