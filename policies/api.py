"""/job/v1 and /policy/v1: the policy-administration API, in the Cloud API's conventions."""

from __future__ import annotations

from portal.api import CLOUD, build_api

job_api = build_api(
    namespace="job_v1",
    style=CLOUD,
    key_kind="staff",
    title="Policy administration — Job API",
    version="1",
    description="Submissions, policy changes and renewals (jobs) and their contents.",
)
policy_api = build_api(
    namespace="policy_v1",
    style=CLOUD,
    key_kind="staff",
    title="Policy administration — Policy API",
    version="1",
    description="Bound policies and the transactions that start from them.",
)
