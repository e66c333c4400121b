"""Support's view of the contractor side: one module per area, each registering its models.

events: events, webhook endpoints, deliveries. certificates: certificates.
records: entities, contractors, the rate book. jobs: work jobs (edits through the
service). onboarding: the onboarding page.
history: quotes, opt-ins, dispatches, the premium ledger, invoices.
integrity: verify_ledger's checkpoints. premium_days: the closed premium days and months.
uploads: bring-your-own certificates and their findings; the platform's default requirement.
"""

from coverage.admin import (  # noqa: F401
    certificates,
    events,
    history,
    integrity,
    jobs,
    onboarding,
    payments,
    premium_days,
    records,
    uploads,
)
