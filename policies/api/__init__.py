"""/job/v1 and /policy/v1: the policy-administration API, in the Cloud API's conventions.

One module per subject registers its operations on ``job_api`` / ``policy_api``:
``jobs`` (submissions, job actions, policies, changes), ``contents`` (locations,
contacts, location named insureds, sections, prior policies) and ``coinsurance``
(agreements, parties, towers, layers). Each API serves its OpenAPI document at
``openapi.json`` and interactive docs at ``docs``.
"""

from __future__ import annotations

from policies.api import coinsurance, contents, jobs  # noqa: F401  (they register their operations)
from policies.api.base import finish, job_api, policy_api

finish(job_api)
finish(policy_api)

__all__ = ["job_api", "policy_api"]
