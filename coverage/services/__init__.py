"""Writes of the contractor side. Every function is atomic, validates, then saves.

One module per area; import from here: ``from coverage.services import create_assignment``.
"""

from __future__ import annotations

from coverage.services.assignments import (
    AssignmentChanges,
    cancel_assignment,
    create_assignment,
    delete_assignment,
    extend_assignment,
    reprice_job_assignments,
    update_assignment,
)
from coverage.services.invoices import (
    InvoiceChanges,
    create_invoice,
    delete_invoice,
    mark_invoice_paid,
    update_invoice,
)
from coverage.services.parties import (
    ContractorData,
    EntityData,
    JobData,
    create_contractor,
    create_entity,
    create_job,
    delete_contractor,
    delete_entity,
    delete_job,
    update_contractor,
    update_entity,
    update_job,
)
from coverage.services.policies import (
    bind_policy_from_quote,
    delete_policy,
    end_coverage,
    update_policy,
)
from coverage.services.quotes import (
    complete_application_session,
    create_application_session,
    create_quote,
    expire_application_session,
    update_application_session,
    update_quote,
)

__all__ = [
    "AssignmentChanges",
    "ContractorData",
    "EntityData",
    "InvoiceChanges",
    "JobData",
    "bind_policy_from_quote",
    "cancel_assignment",
    "complete_application_session",
    "create_application_session",
    "create_assignment",
    "create_contractor",
    "create_entity",
    "create_invoice",
    "create_job",
    "create_quote",
    "delete_assignment",
    "delete_contractor",
    "delete_entity",
    "delete_invoice",
    "delete_job",
    "delete_policy",
    "end_coverage",
    "extend_assignment",
    "expire_application_session",
    "mark_invoice_paid",
    "reprice_job_assignments",
    "update_application_session",
    "update_assignment",
    "update_contractor",
    "update_entity",
    "update_invoice",
    "update_job",
    "update_policy",
    "update_quote",
]
