"""Writes to policies: every rule about transactions and their contents lives here, once.

Both the policy-administration API and the portal call these functions; so does the
contractor side when a tech opts in (``bind_submission``) and when it renews or
cancels. This package exports the writes, the types their callers pass
(``Actor``, ``Money``, ``AgreementTerms``, ``UNSET``) and the refusal rules the
portal shows before a write (``action_refusal``, ``policy_action_refusal``,
``share_refusal``, ``require_coinsurance``, ``require_layers``): preview = commit.
Messages and internal helpers are imported from their module. One module per subject:

- ``transactions``: submissions, quote, bind, make-draft, withdraw, a draft's terms;
- ``policy_changes``: changes, renewals, cancellations, reinstatements of a policy;
- ``contents``: locations, contacts and roles, location named insureds, sections;
- ``prior_policies``: prior policies, on a transaction or a bound policy;
- ``coinsurance``: coinsurance agreements; ``coinsurance_parties``: their parties;
- ``towers``: towers and layers (and layer-level agreements);
- ``copying``: a transaction's contents copied for a change or renewal;
- ``drafts``: locks, checksums, short ids and value rules they share;
- ``audit``: the audit history every write above records (who, when, what changed).
"""

from __future__ import annotations

from policies.services.audit import (
    Actor,
)
from policies.services.coinsurance import (
    AgreementTerms,
    add_agreement_section,
    create_coinsurance_agreement,
    delete_coinsurance_agreement,
    remove_agreement_section,
    require_coinsurance,
    require_layers,
    share_refusal,
    update_coinsurance_agreement,
)
from policies.services.coinsurance_parties import (
    add_coinsurance_party,
    delete_coinsurance_party,
    update_coinsurance_party,
)
from policies.services.content_edits import update_contact, update_location
from policies.services.contents import (
    add_account_contact,
    add_contact,
    add_location,
    add_section,
    associate_location_named_insured,
    delete_location_named_insured,
    delete_section,
)
from policies.services.drafts import (
    UNSET,
    ChecksumMismatch,
    Money,
    Unset,
)
from policies.services.policy_changes import (
    cancel_policy,
    current_term_start,
    policy_action_refusal,
    reinstate_policy,
    reinstate_refusal,
    start_policy_change,
    start_renewal,
)
from policies.services.prior_policies import (
    PriorOwner,
    add_prior_policy,
    delete_prior_policy,
    update_prior_policy,
)
from policies.services.towers import (
    add_tower_section,
    create_layer,
    create_tower,
    delete_layer,
    delete_tower,
    remove_tower_section,
    update_layer,
)
from policies.services.transactions import (
    action_refusal,
    bind_submission,
    bind_transaction,
    make_draft,
    quote_transaction,
    start_submission,
    update_transaction_terms,
    withdraw_transaction,
)

__all__ = [
    "Actor",
    "AgreementTerms",
    "ChecksumMismatch",
    "Money",
    "PriorOwner",
    "UNSET",
    "Unset",
    "action_refusal",
    "add_account_contact",
    "add_agreement_section",
    "add_coinsurance_party",
    "add_contact",
    "add_location",
    "add_prior_policy",
    "add_section",
    "add_tower_section",
    "associate_location_named_insured",
    "bind_submission",
    "bind_transaction",
    "cancel_policy",
    "create_coinsurance_agreement",
    "create_layer",
    "create_tower",
    "current_term_start",
    "delete_coinsurance_agreement",
    "delete_coinsurance_party",
    "delete_layer",
    "delete_location_named_insured",
    "delete_prior_policy",
    "delete_section",
    "delete_tower",
    "make_draft",
    "policy_action_refusal",
    "quote_transaction",
    "reinstate_policy",
    "reinstate_refusal",
    "remove_agreement_section",
    "remove_tower_section",
    "require_coinsurance",
    "require_layers",
    "share_refusal",
    "start_policy_change",
    "start_renewal",
    "start_submission",
    "update_coinsurance_agreement",
    "update_coinsurance_party",
    "update_contact",
    "update_layer",
    "update_location",
    "update_prior_policy",
    "update_transaction_terms",
    "withdraw_transaction",
]
