"""The underwriter workspace's URLs, under /underwriting/ (see portal.urls).

Transactions are named by their pc: id and policies by their pl_ id, as in the API
(the shared ``<pid:…>`` converter of portal.converters); the children of a
transaction by their short numbers ("agreement 3", "party 5") and sections by
their type code (``<slug:code>``). A NUL or a slash matches none of these: a 404
at routing.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from policies.views import (
    coinsurance,
    coinsurance_parties,
    content_edits,
    lists,
    meter,
    pickers,
    policies,
    prior_policies,
    towers,
    transactions,
)

app_name = "policies"

policy_urls = [
    path("", policies.policy_detail, name="policy_detail"),
    path("change", policies.policy_change, name="policy_change"),
    path("renew", policies.policy_renew, name="policy_renew"),
    path("cancel", policies.policy_cancel, name="policy_cancel"),
    path("reinstate", policies.policy_reinstate, name="policy_reinstate"),
    path(
        "prior-policies/",
        prior_policies.policy_prior_policies,
        name="policy_prior_policies",
    ),
    path(
        "prior-policies/add",
        prior_policies.policy_prior_add,
        name="policy_prior_add",
    ),
    path(
        "prior-policies/<pid:prior_id>/edit",
        prior_policies.policy_prior_edit,
        name="policy_prior_edit",
    ),
    path(
        "prior-policies/<pid:prior_id>/delete",
        prior_policies.policy_prior_delete,
        name="policy_prior_delete",
    ),
]

coinsurance_urls = [
    path("", coinsurance.coinsurance, name="coinsurance"),
    path("add", coinsurance.agreement_create, name="agreement_create"),
    path("meter", meter.new_agreement_meter, name="new_agreement_meter"),
    path("<int:number>/edit", coinsurance.agreement_update, name="agreement_update"),
    path("<int:number>/delete", coinsurance.agreement_delete, name="agreement_delete"),
    path("<int:number>/meter", meter.agreement_meter, name="agreement_meter"),
    path("<int:number>/parties/add", coinsurance_parties.party_add, name="party_add"),
    path(
        "<int:number>/parties/<int:party_number>/edit",
        coinsurance_parties.party_update,
        name="party_update",
    ),
    path(
        "<int:number>/parties/<int:party_number>/delete",
        coinsurance_parties.party_delete,
        name="party_delete",
    ),
    path(
        "<int:number>/sections/add",
        coinsurance.agreement_section_add,
        name="agreement_section_add",
    ),
    path(
        "<int:number>/sections/<slug:code>/remove",
        coinsurance.agreement_section_remove,
        name="agreement_section_remove",
    ),
]

tower_urls = [
    path("add", towers.tower_create, name="tower_create"),
    path("<int:number>/delete", towers.tower_delete, name="tower_delete"),
    path(
        "<int:number>/sections/add",
        towers.tower_section_add,
        name="tower_section_add",
    ),
    path(
        "<int:number>/sections/<slug:code>/remove",
        towers.tower_section_remove,
        name="tower_section_remove",
    ),
    path("<int:number>/layers/add", towers.layer_create, name="layer_create"),
]

transaction_urls: list[URLPattern | URLResolver] = [
    path("", transactions.transaction_detail, name="transaction_detail"),
    path("quote", transactions.transaction_quote, name="transaction_quote"),
    path("bind", transactions.transaction_bind, name="transaction_bind"),
    path(
        "make-draft", transactions.transaction_make_draft, name="transaction_make_draft"
    ),
    path("withdraw", transactions.transaction_withdraw, name="transaction_withdraw"),
    path("terms", transactions.terms_update, name="terms_update"),
    path("locations/add", transactions.location_add, name="location_add"),
    path(
        "locations/<int:location_number>/edit",
        content_edits.location_edit,
        name="location_edit",
    ),
    path(
        "contacts/<pid:contact_id>/edit",
        content_edits.contact_edit,
        name="contact_edit",
    ),
    path(
        "locations/<int:location_number>/named-insureds/add",
        transactions.named_insured_add,
        name="named_insured_add",
    ),
    path(
        "locations/<int:location_number>/named-insureds/<int:number>/delete",
        transactions.named_insured_delete,
        name="named_insured_delete",
    ),
    path("contacts/add", transactions.contact_add, name="contact_add"),
    path("sections/add", transactions.section_add, name="section_add"),
    path(
        "sections/<slug:code>/delete",
        transactions.section_delete,
        name="section_delete",
    ),
    path("coinsurance/", include(coinsurance_urls)),
    path("towers/", include(tower_urls)),
    path("layers/<int:number>/delete", towers.layer_delete, name="layer_delete"),
    path(
        "layers/<int:number>/coinsurance",
        towers.layer_agreement_create,
        name="layer_agreement_create",
    ),
    path(
        "prior-policies/",
        prior_policies.transaction_prior_policies,
        name="transaction_prior_policies",
    ),
    path(
        "prior-policies/add",
        prior_policies.transaction_prior_add,
        name="transaction_prior_add",
    ),
    path(
        "prior-policies/<pid:prior_id>/edit",
        prior_policies.transaction_prior_edit,
        name="transaction_prior_edit",
    ),
    path(
        "prior-policies/<pid:prior_id>/delete",
        prior_policies.transaction_prior_delete,
        name="transaction_prior_delete",
    ),
]

urlpatterns = [
    path("policies/", lists.policy_list, name="policy_list"),
    path("policies/<pid:policy_id>/", include(policy_urls)),
    path("transactions/", lists.transaction_list, name="transaction_list"),
    path("transactions/new", transactions.submission_new, name="submission_new"),
    path("transactions/<pid:transaction_id>/", include(transaction_urls)),
    # The lists' platform picker (portal.pickers).
    path("pickers/platforms/", pickers.pick_platform, name="pick_platform"),
    path(
        "producer-codes",
        coinsurance_parties.producer_code_search,
        name="producer_code_search",
    ),
]
