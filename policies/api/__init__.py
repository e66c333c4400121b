"""/job/v1 and /policy/v1: the policy-administration API, in the Cloud API's conventions.

One module per subject registers its operations on ``job_api`` / ``policy_api``:
``jobs`` (submissions, job actions), ``policies`` (policies, changes, renewals,
cancellations), ``reference`` (products and producer codes),
``locations`` (locations, location named insureds), ``contacts`` (contacts and
their roles), ``sections``,
``prior_policies``, ``agreements`` (coinsurance agreements), ``agreement_sections`` (their sections),
``coinsurance_parties``, ``towers`` (towers and their sections) and ``layers``
(layers, layer-level agreements and their parties); ``wire`` holds
the conventions they share and ``base`` the two API objects. Each API serves its
OpenAPI document at ``openapi.json`` and interactive docs at ``docs``.
"""

from __future__ import annotations

from policies.api import (  # noqa: F401  (they register their operations)
    agreement_sections,
    agreements,
    coinsurance_parties,
    contacts,
    jobs,
    layers,
    locations,
    policies,
    prior_policies,
    reference,
    sections,
    towers,
)
from policies.api.base import finish, job_api, policy_api

finish(job_api)
finish(policy_api)

__all__ = ["job_api", "policy_api"]
