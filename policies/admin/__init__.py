"""Support's view of policy administration.

Products, coinsurers and producer codes are reference data support may fix here.
Policies, transactions and their contents are view-only: every change to them goes
through the policies services (the underwriter workspace or the API), which apply
the rules and write the audit history shown on each policy and transaction page.
"""

from policies.admin import (  # noqa: F401  (they register their model admins)
    audit,
    contents,
    policies,
    reference,
)
