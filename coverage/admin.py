"""Support's view of the contractor side. Each section registers one area's models."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from coverage import certificates
from coverage.models import (
    ApplicationSession,
    Assignment,
    CategoryCode,
    Certificate,
    ClassCode,
    ClassMapping,
    Contractor,
    Delivery,
    DeliveryAttempt,
    Entity,
    Event,
    Invoice,
    LedgerEntry,
    Quote,
    Rate,
    WebhookEndpoint,
    WorkJob,
)
from coverage.webhooks import delivery, endpoints
from portal.admin_tools import (
    ViewOnlyAdmin,
    ViewOnlyInline,
    admin_link,
    changelist_link,
)

# ---------------------------------------------------------------------------
# Events and webhooks


@admin.register(Event)
class EventAdmin(ViewOnlyAdmin):
    list_display = ["public_id", "type", "platform", "created_at"]
    list_filter = ["type", "platform"]
    list_select_related = ["platform"]
    search_fields = ["public_id"]
    date_hierarchy = "created_at"
    fields = ["public_id", "platform", "type", "created_at", "data"]
    readonly_fields = fields
    actions = ["resend"]

    @admin.action(description="Re-send selected events")
    def resend(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        scheduled = 0
        for event in queryset.select_related("platform"):
            scheduled += len(delivery.schedule_deliveries(event=event))
        self.message_user(
            request,
            f"Scheduled {scheduled} delivery(ies) to the platforms' live endpoints.",
            messages.SUCCESS,
        )


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ViewOnlyAdmin):
    """Platforms manage endpoints through the API, which validates them; support
    looks, and stops an endpoint without losing its delivery history."""

    # The secret stays off the list; support reads it on one endpoint's page
    # when a platform cannot verify signatures.
    list_display = ["public_id", "url", "platform", "created_at", "deleted_at"]
    list_filter = ["platform", "deleted_at"]
    list_select_related = ["platform"]
    search_fields = ["public_id", "url", "description"]
    fields = [
        "public_id",
        "platform",
        "url",
        "description",
        "events",
        "secret",
        "created_at",
        "deleted_at",
    ]
    readonly_fields = fields
    actions = ["stop"]

    @admin.action(description="Delete selected endpoints (stop deliveries)")
    def stop(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        live = list(queryset.live())
        for endpoint in live:
            endpoints.delete_endpoint(endpoint=endpoint)
        self.message_user(
            request, f"Deleted {len(live)} endpoint(s).", messages.SUCCESS
        )


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = [
        "number",
        "started_at",
        "duration_ms",
        "status_code",
        "error",
        "response_excerpt",
        "succeeded",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ViewOnlyAdmin):
    list_display = [
        "id",
        "event",
        "endpoint",
        "status",
        "attempt_count",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["status"]
    list_select_related = ["event", "endpoint"]
    search_fields = ["event__public_id", "endpoint__public_id", "endpoint__url"]
    fields = [
        "event",
        "endpoint",
        "status",
        "attempt_count",
        "next_attempt_at",
        "created_at",
        "completed_at",
    ]
    readonly_fields = fields
    inlines = [DeliveryAttemptInline]
    actions = ["resend"]

    @admin.action(description="Re-send selected deliveries to their endpoints")
    def resend(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        scheduled = delivery.redeliver(
            deliveries=queryset.select_related("event", "endpoint")
        )
        self.message_user(
            request, f"Scheduled {len(scheduled)} delivery(ies).", messages.SUCCESS
        )


# ---------------------------------------------------------------------------
# Certificates


@admin.register(Certificate)
class CertificateAdmin(ViewOnlyAdmin):
    """Certificates change only with their dispatch or policy; support finds them and
    re-renders a PDF (from the certificate as issued) when a file went missing."""

    list_display = [
        "number",
        "line",
        "status",
        "insured_name",
        "holder_name",
        "effective_at",
        "end_at",
        "pdf_ready",
        "platform",
        "issued_at",
    ]
    list_filter = ["status", "line", "render_pending", "platform"]
    list_select_related = ["platform"]
    search_fields = [
        "=number",
        "insured_name",
        "holder_name",
        "=assignment__public_id",
        "=policy__number",
    ]
    date_hierarchy = "issued_at"
    fields = [
        "number",
        "verification_link",
        "platform",
        "assignment",
        "policy",
        "line",
        "status",
        "insured_name",
        "holder_name",
        "effective_at",
        "end_at",
        "policy_expires_at",
        "issued_at",
        "revoked_at",
        "revocation_reason",
        "superseded_by",
        "pdf",
        "render_pending",
        "rendered_at",
        "document",
    ]
    readonly_fields = fields
    actions = ["rerender"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Certificate]:
        # The list never shows the document snapshot: leave the large column behind.
        return super().get_queryset(request).defer("document")

    @admin.display(boolean=True, description="PDF")
    def pdf_ready(self, certificate: Certificate) -> bool:
        return certificate.is_rendered and not certificate.render_pending

    @admin.display(description="Verification page")
    def verification_link(self, certificate: Certificate) -> str:
        url = reverse("coverage:certificate_verify", args=[certificate.number])
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.action(description="Re-render selected certificates")
    def rerender(self, request: HttpRequest, queryset: QuerySet[Certificate]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        for certificate_id in ids:
            certificates.enqueue_render(certificate_id=certificate_id, force=True)
        self.message_user(
            request,
            f"Queued {len(ids)} certificate(s) for rendering; their PDFs are replaced "
            "in a few seconds.",
            messages.SUCCESS,
        )


# ---------------------------------------------------------------------------
# The contractor side's records


def _cents(value: int | None) -> str:
    return "—" if value is None else f"${value / 100:,.2f}"


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    """Customers-of-record: support may correct an address or a required limit."""

    list_display = [
        "name",
        "public_id",
        "platform",
        "address_region",
        "required_coverage",
        "deleted_at",
    ]
    list_filter = ["platform", "address_region", "deleted_at"]
    list_select_related = ["platform"]
    search_fields = ["name", "public_id", "address_locality", "address_postalcode"]
    readonly_fields = ["public_id", "created_at", "related"]

    @admin.display(description="Related")
    def related(self, entity: Entity) -> SafeString:
        return format_html(
            "{} · {}",
            changelist_link(WorkJob, "Work jobs", entity__id__exact=entity.pk),
            changelist_link(LedgerEntry, "Premium ledger", entity__id__exact=entity.pk),
        )


@admin.register(Contractor)
class ContractorAdmin(admin.ModelAdmin):
    """Contractors (the insureds): support may correct contact details; the tax id is
    write-only on the API and stays off these pages."""

    list_display = [
        "legal_name",
        "public_id",
        "email",
        "company_name",
        "platform",
        "address_region",
        "deleted_at",
    ]
    list_filter = ["platform", "address_region", "deleted_at"]
    list_select_related = ["platform"]
    search_fields = [
        "public_id",
        "email",
        "first_name",
        "last_name",
        "company_name",
        "phone",
    ]
    exclude = ["tax_identification"]
    readonly_fields = ["public_id", "created_at", "related"]

    @admin.display(description="Related")
    def related(self, contractor: Contractor) -> SafeString:
        from policies.models import Policy

        pk = contractor.pk
        return format_html(
            "{} · {} · {} · {}",
            changelist_link(Policy, "Policies", contractor__id__exact=pk),
            changelist_link(Assignment, "Assignments", contractor__id__exact=pk),
            changelist_link(LedgerEntry, "Premium ledger", contractor__id__exact=pk),
            changelist_link(Invoice, "Invoices", contractor__id__exact=pk),
        )


@admin.register(WorkJob)
class WorkJobAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "public_id",
        "platform",
        "entity",
        "category_code",
        "address_region",
        "wage_text",
        "deleted_at",
    ]
    list_filter = ["platform", "wage_type", "address_region", "category_code"]
    list_select_related = ["platform", "entity", "category_code"]
    search_fields = ["name", "public_id", "entity__name", "entity__public_id"]
    readonly_fields = ["public_id", "created_at"]
    raw_id_fields = ["entity"]

    @admin.display(description="Wage", ordering="wage")
    def wage_text(self, job: WorkJob) -> str:
        return _cents(job.wage)


# Rate book: loaded by `manage.py import_rates`, which validates the whole file;
# support looks it up here.


class ClassMappingInline(ViewOnlyInline):
    model = ClassMapping
    fields = ["jurisdiction", "line", "class_code"]
    readonly_fields = fields


@admin.register(CategoryCode)
class CategoryCodeAdmin(admin.ModelAdmin):
    list_display = ["name", "public_id", "created_at"]
    search_fields = ["name", "public_id"]
    filter_horizontal = ["approved_platforms"]
    readonly_fields = ["public_id", "created_at"]
    inlines = [ClassMappingInline]


class RateInline(ViewOnlyInline):
    model = Rate
    fields = ["effective_date", "rate", "source"]
    readonly_fields = fields
    show_change_link = False


@admin.register(ClassCode)
class ClassCodeAdmin(ViewOnlyAdmin):
    list_display = ["code", "jurisdiction", "line", "description"]
    list_filter = ["line", "jurisdiction"]
    search_fields = ["code", "description", "jurisdiction"]
    inlines = [RateInline]


@admin.register(ClassMapping)
class ClassMappingAdmin(ViewOnlyAdmin):
    list_display = ["category_code", "jurisdiction", "line", "class_code"]
    list_filter = ["line", "jurisdiction", "category_code"]
    list_select_related = ["category_code", "class_code"]
    search_fields = ["category_code__name", "class_code__code", "jurisdiction"]


@admin.register(Rate)
class RateAdmin(ViewOnlyAdmin):
    list_display = ["class_code", "effective_date", "rate", "source"]
    list_filter = ["class_code__line", "class_code__jurisdiction"]
    list_select_related = ["class_code"]
    search_fields = ["class_code__code", "class_code__jurisdiction", "source"]
    date_hierarchy = "effective_date"


# Quotes, opt-ins, dispatches, premium and invoices: history the services wrote.


@admin.register(Quote)
class QuoteAdmin(ViewOnlyAdmin):
    list_display = [
        "public_id",
        "contractor_link",
        "job",
        "platform",
        "lines",
        "eligible",
        "policy_link",
        "created_at",
    ]
    list_filter = ["eligible", "platform"]
    list_select_related = ["contractor", "job", "platform", "policy"]
    search_fields = [
        "public_id",
        "contractor__public_id",
        "contractor__email",
        "job__public_id",
        "policy__number",
    ]
    date_hierarchy = "created_at"

    @admin.display(description="Contractor", ordering="contractor__last_name")
    def contractor_link(self, quote: Quote) -> SafeString | str:
        return admin_link(quote.contractor)

    @admin.display(description="Policy", ordering="policy__number")
    def policy_link(self, quote: Quote) -> SafeString | str:
        return admin_link(quote.policy)


@admin.register(ApplicationSession)
class ApplicationSessionAdmin(ViewOnlyAdmin):
    """Hosted opt-ins. The link and its token are the contractor's key to the page:
    they stay off support's pages, like API keys."""

    list_display = [
        "public_id",
        "quote_link",
        "platform",
        "step",
        "expires_at",
        "completed_at",
        "expired_at",
    ]
    list_filter = ["step", "platform"]
    list_select_related = ["quote", "platform"]
    search_fields = ["public_id", "quote__public_id", "quote__contractor__email"]
    fields = [
        "public_id",
        "platform",
        "quote",
        "step",
        "success_url",
        "cancel_url",
        "expires_at",
        "expired_at",
        "completed_at",
        "created_at",
    ]
    readonly_fields = fields

    @admin.display(description="Quote", ordering="quote__public_id")
    def quote_link(self, session: ApplicationSession) -> SafeString | str:
        return admin_link(session.quote)


class LedgerEntryInline(ViewOnlyInline):
    model = LedgerEntry
    fields = ["kind", "line", "amount_text", "books_on", "created_at"]
    readonly_fields = fields

    @admin.display(description="Amount")
    def amount_text(self, entry: LedgerEntry) -> str:
        return _cents(entry.amount)


@admin.register(Assignment)
class AssignmentAdmin(ViewOnlyAdmin):
    list_display = [
        "public_id",
        "contractor_link",
        "job_link",
        "policy_link",
        "platform",
        "eligible",
        "premium_text",
        "effective_at",
        "cancelled_at",
    ]
    list_filter = ["eligible", "bind", "platform", "cancelled_at"]
    list_select_related = ["contractor", "job", "policy", "platform"]
    search_fields = [
        "public_id",
        "contractor__public_id",
        "contractor__email",
        "job__public_id",
        "job__name",
        "policy__number",
        "policy__public_id",
    ]
    date_hierarchy = "effective_at"
    inlines = [LedgerEntryInline]

    @admin.display(description="Contractor", ordering="contractor__last_name")
    def contractor_link(self, assignment: Assignment) -> SafeString | str:
        return admin_link(assignment.contractor)

    @admin.display(description="Work job", ordering="job__name")
    def job_link(self, assignment: Assignment) -> SafeString | str:
        return admin_link(assignment.job)

    @admin.display(description="Policy", ordering="policy__number")
    def policy_link(self, assignment: Assignment) -> SafeString | str:
        return admin_link(assignment.policy)

    @admin.display(description="Premium", ordering="premium")
    def premium_text(self, assignment: Assignment) -> str:
        return _cents(assignment.premium)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ViewOnlyAdmin):
    """The premium ledger is append-only: a correction is a new entry, never an edit."""

    list_display = [
        "id",
        "books_on",
        "kind",
        "line",
        "amount_text",
        "assignment_link",
        "contractor_link",
        "entity",
        "platform",
    ]
    list_filter = ["kind", "line", "platform"]
    list_select_related = ["assignment", "contractor", "entity", "platform"]
    search_fields = [
        "assignment__public_id",
        "contractor__public_id",
        "contractor__email",
        "entity__name",
    ]
    date_hierarchy = "books_on"

    @admin.display(description="Amount", ordering="amount")
    def amount_text(self, entry: LedgerEntry) -> str:
        return _cents(entry.amount)

    @admin.display(description="Assignment", ordering="assignment__public_id")
    def assignment_link(self, entry: LedgerEntry) -> SafeString | str:
        return admin_link(entry.assignment)

    @admin.display(description="Contractor", ordering="contractor__last_name")
    def contractor_link(self, entry: LedgerEntry) -> SafeString | str:
        return admin_link(entry.contractor)


@admin.register(Invoice)
class InvoiceAdmin(ViewOnlyAdmin):
    list_display = [
        "public_id",
        "contractor_link",
        "job",
        "policy_link",
        "premium_text",
        "paycycle_start",
        "paycycle_end",
        "paid_at",
    ]
    list_filter = ["platform", "paid_at"]
    list_select_related = ["contractor", "job", "policy", "platform"]
    search_fields = [
        "public_id",
        "contractor__public_id",
        "contractor__email",
        "policy__number",
        "purchase_order_number",
    ]

    @admin.display(description="Contractor", ordering="contractor__last_name")
    def contractor_link(self, invoice: Invoice) -> SafeString | str:
        return admin_link(invoice.contractor)

    @admin.display(description="Policy", ordering="policy__number")
    def policy_link(self, invoice: Invoice) -> SafeString | str:
        return admin_link(invoice.policy)

    @admin.display(description="Premium due", ordering="premium_due")
    def premium_text(self, invoice: Invoice) -> str:
        return _cents(invoice.premium_due)
