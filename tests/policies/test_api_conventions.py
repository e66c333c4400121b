"""What every /job/v1 and /policy/v1 operation shares: documents, error formats, bad
input that must never be a 500, and list endpoints whose query count stays put."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from policies.api.listing import (
    FILTER_FIELD,
    FILTER_OPERATOR,
    FILTER_OPERATOR_FIELD,
    FILTER_SYNTAX,
    SORT_FIELD,
    UNKNOWN_QUERY_PARAMETER,
)
from policies.models import ProducerCode, Product
from portal.api import BAD_PAGE_SIZE
from tests.policies.conftest import Api

pytestmark = pytest.mark.django_db


def test_openapi_documents_describe_every_seed_endpoint(api: Api) -> None:
    job_doc = api.client.get("/job/v1/openapi.json").json()
    policy_doc = api.client.get("/policy/v1/openapi.json").json()
    assert job_doc["openapi"].startswith("3.")
    job_paths, policy_paths = set(job_doc["paths"]), set(policy_doc["paths"])
    for path, methods in {
        "/job/v1/submissions": {"post"},
        "/job/v1/jobs/{jobId}/quote": {"post"},
        "/job/v1/jobs/{jobId}/bind-and-issue": {"post"},
        "/job/v1/jobs/{jobId}/make-draft": {"post"},
        "/job/v1/jobs/{jobId}/withdraw": {"post"},
        "/job/v1/jobs/{jobId}/locations": {"get", "post"},
        "/job/v1/jobs/{jobId}/contacts": {"get", "post"},
        "/job/v1/jobs/{jobId}/locations/{locationId}/named-insureds": {"get", "post"},
        "/job/v1/jobs/{jobId}/locations/{locationId}/named-insureds/{locationNamedInsuredId}": {
            "get",
            "delete",
        },
        "/job/v1/jobs/{jobId}/coinsurance-agreements": {"get", "post"},
        "/job/v1/jobs/{jobId}/coinsurance-agreements/{coinsuranceAgreementId}": {
            "get",
            "patch",
            "delete",
        },
        "/job/v1/jobs/{jobId}/coinsurance-agreements/{coinsuranceAgreementId}/parties": {
            "get",
            "post",
        },
        "/job/v1/jobs/{jobId}/coinsurance-agreements/{coinsuranceAgreementId}/parties/{partyId}": {
            "get",
            "patch",
            "delete",
        },
        "/job/v1/jobs/{jobId}/coinsurance-agreements/{coinsuranceAgreementId}/policy-sections": {
            "get",
            "post",
        },
        "/job/v1/jobs/{jobId}/coinsurance-agreements/{coinsuranceAgreementId}/policy-sections/{sectionId}": {
            "get",
            "delete",
        },
        "/job/v1/jobs/{jobId}/towers/{towerId}/layers": {"get", "post"},
        "/job/v1/jobs/{jobId}/towers/{towerId}/layers/{layerId}/parties": {
            "get",
            "post",
        },
        "/job/v1/jobs/{jobId}/prior-policies": {"get", "post"},
        "/job/v1/jobs/{jobId}/prior-policies/{priorPolicyId}": {
            "get",
            "patch",
            "delete",
        },
    }.items():
        assert path in job_paths, path
        assert set(job_doc["paths"][path]) >= methods, path
    for path, methods in {
        "/policy/v1/policies/{policyId}/change": {"post"},
        "/policy/v1/policies/{policyId}/locations/{locationId}/named-insureds": {"get"},
        "/policy/v1/policies/{policyId}/locations/{locationId}/named-insureds/{locationNamedInsuredId}": {
            "get"
        },
        "/policy/v1/policies/{policyId}/coinsurance-agreements/{coinsuranceAgreementId}/policy-sections": {
            "get"
        },
        "/policy/v1/policies/{policyId}/coinsurance-agreements/{coinsuranceAgreementId}/policy-sections/{sectionId}": {
            "get"
        },
        "/policy/v1/policies/{policyId}/prior-policies": {"get", "post"},
        "/policy/v1/policies/{policyId}/prior-policies/{priorPolicyId}": {
            "get",
            "patch",
            "delete",
        },
    }.items():
        assert path in policy_paths, path
        assert set(policy_doc["paths"][path]) >= methods, path
    # Request bodies are documented from the same schemas that validate them.
    schemas = job_doc["components"]["schemas"]
    agreement = (
        schemas["CoinsuranceAgreementCreateIn"]
        if "CoinsuranceAgreementCreateIn" in schemas
        else schemas["AgreementCreateIn"]
    )
    assert {
        "model",
        "ourRole",
        "ourShare",
        "leadersFee",
        "policyNumberSuffix",
        "initialPolicySections",
    } <= set(agreement["properties"])
    assert "/{path}" not in " ".join(job_paths)


def test_interactive_docs(api: Api) -> None:
    for url in ("/job/v1/docs", "/policy/v1/docs"):
        response = api.client.get(url)
        assert response.status_code == 200
        assert b"swagger-ui" in response.content


def test_an_unknown_path_is_404_in_the_cloud_format(api: Api) -> None:
    response = api.get("/job/v1/nothing/here")
    assert response.status_code == 404
    assert (
        response.json()["userMessage"]
        == "No resource was found at path /job/v1/nothing/here"
    )


def test_a_method_a_path_does_not_support_is_405_in_the_cloud_format(
    api: Api, job: str
) -> None:
    response = api._send("put", job, {"data": {"attributes": {}}})
    assert response.status_code == 405
    assert response["Allow"] == "GET, PATCH"
    assert response.json() == {
        "status": 405,
        "errorCode": "gw.api.rest.exceptions.MethodNotAllowedException",
        "userMessage": f"The method PUT is not allowed on {job}. Allowed: GET, PATCH.",
        "details": [],
    }


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?colour=blue", UNKNOWN_QUERY_PARAMETER.format(name="colour")),
        # sort is supported (test_api_query_options), on the list's filterable fields.
        (
            "?sort=planet",
            SORT_FIELD.format(field="planet", fields="city, postalCode, state"),
        ),
        ("?filter=city", FILTER_SYNTAX.format(expr="city")),
        (
            "?filter=planet:eq:Mars",
            FILTER_FIELD.format(field="planet", fields="city, postalCode, state"),
        ),
        ("?filter=city:like:A", FILTER_OPERATOR.format(op="like")),
        ("?pageSize=0", BAD_PAGE_SIZE),
        ("?pageSize=101", BAD_PAGE_SIZE),
        (
            "?includeTotal=maybe",
            "The 'includeTotal' query parameter must be true or false.",
        ),
    ],
)
def test_bad_query_parameters_are_400(
    api: Api, job: str, query: str, message: str
) -> None:
    response = api.get(f"{job}/locations{query}")
    assert response.status_code == 400
    assert response.json()["userMessage"] == message


def test_filter_operators(api: Api, job: str) -> None:
    for number, carrier in (
        (0, "Alpha Mutual"),
        (2, "Beta: Insurance"),
        (5, "Gamma Re"),
    ):
        api.post(
            f"{job}/prior-policies",
            {
                "effectiveDate": f"202{number}-01-01",
                "carrier": carrier,
                "numLosses": number,
            },
        )

    def carriers(expr: str) -> list[str]:
        response = api.get(f"{job}/prior-policies?filter={expr}")
        assert response.status_code == 200, response.content
        return [p["attributes"]["carrier"] for p in response.json()["data"]]

    assert carriers("numLosses:gt:0") == ["Beta: Insurance", "Gamma Re"]
    assert carriers("numLosses:le:2") == ["Alpha Mutual", "Beta: Insurance"]
    assert carriers("numLosses:in:0,5") == ["Alpha Mutual", "Gamma Re"]
    assert carriers("numLosses:ni:0,5") == ["Beta: Insurance"]
    assert carriers("carrier:sw:gam") == ["Gamma Re"]
    assert carriers("carrier:cn:Mutual") == ["Alpha Mutual"]
    assert carriers("carrier:eq:Beta:: Insurance") == ["Beta: Insurance"]
    assert carriers("effectiveDate:ge:2022-01-01") == ["Beta: Insurance", "Gamma Re"]
    assert carriers("effectiveDate:lt:2022-01-01&filter=carrier:ne:Gamma%20Re") == [
        "Alpha Mutual"
    ]
    bad = api.get(f"{job}/prior-policies?filter=numLosses:cn:1")
    assert bad.json()["userMessage"] == FILTER_OPERATOR_FIELD.format(
        op="cn", field="numLosses"
    )
    bad = api.get(f"{job}/prior-policies?filter=effectiveDate:gt:yesterday")
    assert (
        bad.json()["userMessage"]
        == "'yesterday' is not a valid value for the field 'effectiveDate'."
    )


# Every write, with bodies that are wrong in every way a client can get them wrong.
BAD_BODIES = [
    "",
    "{not json",
    "[]",
    "null",
    '"text"',
    "{}",
    '{"data": null}',
    '{"data": []}',
    '{"data": {"attributes": null}}',
    '{"data": {"attributes": []}}',
    '{"data": {"attributes": {"unexpected": 1}}}',
    '{"data": {"attributes": {}, "checksum": 5}}',
    '{"data": {"attributes": {}}, "extra": true}',
    json.dumps(
        {
            "data": {
                "attributes": {
                    "ourShare": "abc",
                    "coinsuranceShare": -5,
                    "leadersFee": "100.001",
                    "policyNumberSuffix": "123456789",
                    "effectiveDate": "not-a-date",
                    "expirationDate": 7,
                    "numLosses": "many",
                    "annualPremium": {"amount": "x"},
                    "contact": {"id": 5},
                    "producerCode": {"id": None},
                    "sectionType": {"code": ["PP"]},
                    "attachment": {"amount": "1e999"},
                    "limit": "big",
                    "state": "CA",
                    "roles": [{"code": 1}],
                }
            }
        }
    ),
]


@pytest.fixture
def everything(
    api: Api, job: str, producer_codes: list[ProducerCode]
) -> dict[str, str]:
    """A job with one of everything, and a bound policy with the same: their URLs."""
    api.post(
        f"{job}/locations",
        {
            "addressLine1": "1 A St",
            "city": "Trenton",
            "state": {"code": "NJ"},
            "postalCode": "08601",
        },
    )
    contact = api.post(f"{job}/contacts", {"lastName": "Sherman"}).json()["data"][
        "attributes"
    ]["id"]
    lni = api.post(
        f"{job}/locations/1/named-insureds", {"contact": {"id": contact}}
    ).json()["data"]["attributes"]["id"]
    agreement = api.post(
        f"{job}/coinsurance-agreements",
        {
            "initialPolicySections": [{"sectionType": {"code": "MO"}}],
            "model": {"code": "administer"},
            "ourRole": {"code": "lead"},
            "ourShare": "50",
        },
    ).json()["data"]["attributes"]["id"]
    party = api.post(
        f"{job}/coinsurance-agreements/{agreement}/parties",
        {
            "producerCode": {"id": producer_codes[0].public_id},
            "coinsuranceRole": {"code": "follow"},
            "coinsuranceShare": "5",
        },
    ).json()["data"]["attributes"]["id"]
    tower = api.post(
        f"{job}/towers", {"initialPolicySections": [{"sectionType": {"code": "PP"}}]}
    ).json()["data"]["attributes"]["id"]
    layer = api.post(
        f"{job}/towers/{tower}/layers",
        {
            "attachment": {"amount": "0"},
            "limit": {"amount": "100"},
            "coinsuranceAgreement": {
                "model": {"code": "administer"},
                "ourRole": {"code": "lead"},
                "ourShare": "50",
            },
        },
    ).json()["data"]["attributes"]["id"]
    layer_party = api.post(
        f"{job}/towers/{tower}/layers/{layer}/parties",
        {
            "producerCode": {"id": producer_codes[0].public_id},
            "coinsuranceRole": {"code": "follow"},
            "coinsuranceShare": "5",
        },
    ).json()["data"]["attributes"]["id"]
    prior = api.post(f"{job}/prior-policies", {"effectiveDate": "2020-01-01"}).json()[
        "data"
    ]["attributes"]["id"]
    return {
        "job": job,
        "contact": contact,
        "lni": lni,
        "agreement": agreement,
        "party": party,
        "tower": tower,
        "layer": layer,
        "layer_party": layer_party,
        "prior": prior,
    }


def writes(ids: dict[str, str]) -> list[tuple[str, str]]:
    job = ids["job"]
    agreement = f"{job}/coinsurance-agreements/{ids['agreement']}"
    layer = f"{job}/towers/{ids['tower']}/layers/{ids['layer']}"
    return [
        ("post", "/job/v1/submissions"),
        ("patch", job),
        ("post", f"{job}/locations"),
        ("post", f"{job}/contacts"),
        ("post", f"{job}/locations/1/named-insureds"),
        ("post", f"{job}/policy-sections"),
        ("post", f"{job}/coinsurance-agreements"),
        ("patch", agreement),
        ("post", f"{agreement}/parties"),
        ("patch", f"{agreement}/parties/{ids['party']}"),
        ("post", f"{agreement}/policy-sections"),
        ("post", f"{job}/towers"),
        ("post", f"{job}/towers/{ids['tower']}/policy-sections"),
        ("post", f"{job}/towers/{ids['tower']}/layers"),
        ("patch", layer),
        ("post", f"{layer}/parties"),
        ("patch", f"{layer}/parties/{ids['layer_party']}"),
        ("post", f"{job}/prior-policies"),
        ("patch", f"{job}/prior-policies/{ids['prior']}"),
    ]


def test_bad_bodies_are_400_never_500(api: Api, everything: dict[str, str]) -> None:
    for method, url in writes(everything):
        for body in BAD_BODIES:
            response = getattr(api.client, method)(
                url, body, content_type="application/json", headers=api.headers
            )
            if url.endswith("/towers") and body in (
                "",
                "{}",
                '{"data": {"attributes": {}}}',
            ):
                continue  # a tower needs nothing
            assert response.status_code == 400, (method, url, body, response.content)
            error = response.json()
            assert error["status"] == 400 and isinstance(error["userMessage"], str), (
                error
            )


def test_unknown_ids_everywhere_are_404(api: Api, everything: dict[str, str]) -> None:
    job = everything["job"]
    for url in (
        f"{job}/contacts/pc:zz",
        f"{job}/locations/0/named-insureds",
        f"{job}/locations/1/named-insureds/999",
        f"{job}/policy-sections/XX",
        f"{job}/coinsurance-agreements/999",
        f"{job}/coinsurance-agreements/{everything['agreement']}/parties/999",
        f"{job}/coinsurance-agreements/{everything['agreement']}/policy-sections/PP",
        f"{job}/coinsurance-agreements/{everything['layer']}",  # a layer's agreement id is not listed here
        f"{job}/towers/999",
        f"{job}/towers/{everything['tower']}/layers/999",
        f"{job}/towers/{everything['tower']}/policy-sections/MO",
        f"{job}/towers/{everything['tower']}/layers/{everything['layer']}/parties/999",
        f"{job}/prior-policies/pc:zz",
        "/job/v1/producer-codes/pc:zz",
    ):
        assert api.get(url).status_code == 404, url
        assert api.delete(url).status_code in (404, 405), url


def test_a_platform_key_cannot_write_either(
    platform_key: str, everything: dict[str, str]
) -> None:
    outsider = Api(platform_key)
    for method, url in writes(everything):
        response = getattr(outsider, method)(url, {})
        assert response.status_code == 403, url


# Queries per list endpoint, whatever the number of rows. Every request pays one for
# the API key; "owner" is the job or policy the path names.
LIST_QUERIES = {
    "locations": 3,  # key, owner, page
    "contacts": 4,  # key, owner, page, the contacts' roles on this job
    "named-insureds": 4,  # key, owner, location, page (with contact and location)
    "sections": 5,  # key, owner, layer agreements, policy-level agreements, page
    "agreements": 4,  # key, owner, page (with the party total), sections
    "agreement-parties": 5,  # key, owner, agreement, its sections, page (with producer codes)
    "agreement-sections": 5,  # key, owner, agreement, its sections, page
    "towers": 4,  # key, owner, page, sections
    "tower-sections": 5,  # key, owner, tower, its sections, page
    "layers": 5,  # key, owner, tower, its sections, page (with agreements and totals)
    "layer-parties": 6,  # key, owner, tower, its sections, layer, page
    "prior-policies": 3,  # key, owner, page
}
TOP_LEVEL_QUERIES = {
    "/job/v1/jobs": 2,  # key, page (with contractor, product, category, policy)
    "/policy/v1/policies": 2,  # key, page
    "/job/v1/products": 2,  # key, page
    "/job/v1/producer-codes": 2,  # key, page (with organizations)
}


def list_urls(ids: dict[str, str], policy: str) -> dict[str, tuple[str, int]]:
    tower = f"/towers/{ids['tower']}"
    layer = f"{tower}/layers/{ids['layer']}"
    agreement = f"/coinsurance-agreements/{ids['agreement']}"
    paths = {
        "locations": "/locations",
        "contacts": "/contacts",
        "named-insureds": "/locations/1/named-insureds",
        "sections": "/policy-sections",
        "agreements": "/coinsurance-agreements",
        "agreement-parties": f"{agreement}/parties",
        "agreement-sections": f"{agreement}/policy-sections",
        "towers": "/towers",
        "tower-sections": f"{tower}/policy-sections",
        "layers": f"{tower}/layers",
        "layer-parties": f"{layer}/parties",
        "prior-policies": "/prior-policies",
    }
    urls = {}
    for owner in (ids["job"], policy):
        for name, path in paths.items():
            urls[owner + path] = LIST_QUERIES[name]
    for url, queries in TOP_LEVEL_QUERIES.items():
        urls[url] = queries
    urls[f"{policy}/jobs"] = 3  # key, policy, page
    return urls


def grow(
    job_url: str,
    product: Product,
    codes: list[ProducerCode],
    ids: dict[str, str],
    times: int,
) -> None:
    """``times`` more rows in every collection the lists read."""
    from policies import services
    from policies.models import (
        CoinsuranceAgreement,
        Layer,
        Organization,
        PolicyLocation,
        PolicyTransaction,
    )

    txn = PolicyTransaction.objects.get(public_id=job_url.rsplit("/", 1)[1])
    location = PolicyLocation.objects.get(transaction=txn, number=1)
    agreement = CoinsuranceAgreement.objects.get(
        transaction=txn, number=int(ids["agreement"])
    )
    layer = Layer.objects.select_related("tower").get(
        transaction=txn, number=int(ids["layer"])
    )
    organization = Organization.objects.create(name="Growth Mutual")
    tiny = Decimal("0.5")
    for i in range(times):
        services.add_location(
            txn=txn,
            address_line1=f"{i} Elm St",
            city="Newark",
            state="NJ",
            postal_code="07102",
        )
        contact = services.add_contact(
            txn=txn, last_name=f"Contact {i}", roles=["additionalInsured"]
        )
        services.associate_location_named_insured(
            txn=txn, location=location, contact=contact
        )
        services.add_prior_policy(owner=txn, effective_date=date(2000 + i, 1, 1))
        code = ProducerCode.objects.create(
            code=f"GROW{i:03}", organization=organization
        )
        services.add_coinsurance_party(
            agreement=agreement, producer_code=code, role="follow", share=tiny
        )
        services.add_coinsurance_party(
            agreement=layer.coinsurance_agreement,
            producer_code=code,
            role="follow",
            share=tiny,
        )
        services.create_layer(
            tower=layer.tower,
            attachment=services.Money(Decimal(1000 * (i + 1))),
            limit=services.Money(Decimal(1000)),
            coinsurance=services.AgreementTerms("administer", "lead", Decimal(10)),
        )
        # More jobs (and so more rows for /jobs): each with sections of its own.
        services.start_submission(
            platform=txn.platform,
            contractor=txn.contractor,
            product=product,
            lines=[],
            section_types=["PP", "MO"],
            effective_at=txn.effective_at,
            expires_at=txn.expires_at,
        )


def test_list_endpoints_run_a_constant_number_of_queries(
    api: Api,
    everything: dict[str, str],
    property_product: Product,
    producer_codes: list[ProducerCode],
    django_assert_num_queries,
) -> None:
    api.get(
        "/job/v1/jobs"
    )  # stamps the key's last use (once a minute), outside the counts
    job = everything["job"]
    api.post(f"{job}/quote")
    policy = api.post(f"{job}/bind-and-issue").json()["data"]["attributes"]["policy"][
        "uri"
    ]
    # A change of the bound policy: the same contents, under the job form.
    change = api.post(f"{policy}/change").json()["data"]["links"]["self"]["href"]
    ids = everything | {"job": change}
    urls = list_urls(ids, policy)

    def check() -> None:
        for url, queries in urls.items():
            with django_assert_num_queries(queries):
                response = api.get(url)
            assert response.status_code == 200, (url, response.content)

    check()
    grow(change, property_product, producer_codes, ids, 30)
    # The policy's own contents grow through another change that binds.
    api.post(f"{change}/quote")
    api.post(f"{change}/bind-and-issue")
    assert api.get(f"{policy}/locations?pageSize=100").json()["count"] == 31
    assert api.get(f"{change}/prior-policies?pageSize=100").json()["count"] == 31
    check()
