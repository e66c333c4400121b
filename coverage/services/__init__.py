"""Writes of the contractor side. Every function is atomic, validates, then saves.

One module per aggregate: entities, contractors, jobs, quotes (and application sessions),
policies, assignments, invoices, onboarding (a platform and its approved trades); with the rules they apply: eligibility, the premium
ledger, renewals, dates (coverage windows), terms (category approval, rating a window),
inputs (coverage types, addresses, field rules). Faces import the writes from here
(``from coverage.services import create_assignment``); messages and helpers from their module.
"""

from __future__ import annotations

from coverage.services.actuals import (
    ActualsReport,
    report_actuals,
    update_assignment_with_actuals,
)
from coverage.services.assignments import (
    AssignmentChanges,
    cancel_assignment,
    cancel_job_assignment,
    delete_assignment,
    extend_assignment,
    extend_job_assignment,
    update_assignment,
)
from coverage.services.contractors import (
    ContractorData,
    create_contractor,
    delete_contractor,
    update_contractor,
)
from coverage.services.crews import dispatch_crew
from coverage.services.dispatching import create_assignment, preview_assignment
from coverage.services.entities import (
    EntityData,
    create_entity,
    delete_entity,
    update_entity,
)
from coverage.services.invoices import (
    InvoiceChanges,
    create_invoice,
    delete_invoice,
    mark_invoice_paid,
    update_invoice,
)
from coverage.services.jobs import (
    JobData,
    check_wage,
    create_job,
    delete_job,
    preview_wage_change,
    update_job,
)
from coverage.services.onboarding import (
    Onboarding,
    approve_categories,
    onboard_platform,
)
from coverage.services.policies import (
    bind_policy_from_quote,
    delete_policy,
    update_policy,
)
from coverage.services.quotes import (
    complete_application_session,
    create_application_session,
    create_quote,
    expire_application_session,
    open_sessions,
    opt_in_lines,
    opt_in_rating,
    send_opt_in,
    start_application_session,
    update_application_session,
    update_quote,
)

__all__ = [
    "ActualsReport",
    "AssignmentChanges",
    "ContractorData",
    "EntityData",
    "InvoiceChanges",
    "JobData",
    "Onboarding",
    "approve_categories",
    "bind_policy_from_quote",
    "cancel_job_assignment",
    "check_wage",
    "cancel_assignment",
    "complete_application_session",
    "create_application_session",
    "create_assignment",
    "dispatch_crew",
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
    "extend_job_assignment",
    "extend_assignment",
    "expire_application_session",
    "mark_invoice_paid",
    "onboard_platform",
    "open_sessions",
    "opt_in_lines",
    "opt_in_rating",
    "preview_assignment",
    "preview_wage_change",
    "report_actuals",
    "send_opt_in",
    "start_application_session",
    "update_application_session",
    "update_assignment",
    "update_assignment_with_actuals",
    "update_contractor",
    "update_entity",
    "update_invoice",
    "update_job",
    "update_policy",
    "update_quote",
]
