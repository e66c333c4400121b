"""The contractor side's records: customers-of-record, contractors, job categories.

Every row belongs to a platform (the tenant); queries reach it only through
``for_platform`` / ``visible_to`` so that one platform never sees another's data.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from portal.ids import PublicIdField
from portal.models import Platform, User


class TenantQuerySet(models.QuerySet):
    """Scoping shared by every platform-owned model."""

    def for_platform(self, platform: Platform) -> TenantQuerySet:
        return self.filter(platform=platform)

    def visible_to(self, user: User) -> TenantQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.sees_all_platforms:
            return self
        return self.filter(platform_id=user.platform_id)

    def live(self) -> TenantQuerySet:
        """Rows not deleted through the API (deletes keep the row for the audit trail)."""
        return self.filter(deleted_at__isnull=True)


class Addressed(models.Model):
    """A postal address in the public API's shape (line1, line2, locality, region, postalcode, country)."""

    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    address_locality = models.CharField(max_length=100, blank=True)
    # Two-letter state code; for a contractor it is the residence state (GL), for a
    # work job the work state (WC).
    address_region = models.CharField(max_length=2, blank=True)
    address_postalcode = models.CharField(max_length=20, blank=True)
    address_country = models.CharField(max_length=3, blank=True)

    class Meta:
        abstract = True

    @property
    def address(self) -> dict[str, Any]:
        return {
            "line1": self.address_line1,
            "line2": self.address_line2 or None,
            "locality": self.address_locality,
            "region": self.address_region,
            "postalcode": self.address_postalcode,
            "country": self.address_country or None,
        }

    @property
    def address_text(self) -> str:
        street = ", ".join(p for p in (self.address_line1, self.address_line2) if p)
        city = " ".join(p for p in (self.address_region, self.address_postalcode) if p)
        return ", ".join(p for p in (street, self.address_locality, city) if p)


class Entity(Addressed):
    """A customer-of-record: the client a platform dispatches techs to, with the coverage it requires."""

    public_id = PublicIdField(prefix="en")
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="entities"
    )
    name = models.CharField(max_length=200)
    # Coverage types (CoverageType values) the entity requires of every tech it receives.
    required_coverage = models.JSONField(default=list, blank=True)
    aggregate_limit = models.BigIntegerField(null=True, blank=True, help_text="cents")
    occurrence_limit = models.BigIntegerField(null=True, blank=True, help_text="cents")
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "entities"
        indexes = [
            models.Index(
                fields=["platform", "-id"], name="coverage_entity_platform_idx"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Contractor(Addressed):
    """A 1099 tech on one platform; the named insured on the policies bound for them."""

    public_id = PublicIdField(prefix="cn")
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="contractors"
    )
    first_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=40, blank=True)
    company_name = models.CharField(max_length=200, blank=True)
    # Write-only on the API: never serialised back.
    tax_identification = models.CharField(max_length=20, blank=True)
    custom_metadata = models.JSONField(default=dict, blank=True)
    withhold_premium = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["platform", "-id"], name="coverage_contractor_plat_idx"
            ),
            models.Index(
                fields=["platform", "email"], name="coverage_contractor_email_idx"
            ),
        ]
        constraints = [
            # One contractor per email within a platform (seed 000's duplicate email
            # error). Case-insensitive, and deleted contractors free their email.
            models.UniqueConstraint(
                "platform",
                Lower("email"),
                condition=Q(deleted_at__isnull=True),
                name="coverage_contractor_unique_email_per_platform",
                violation_error_message="A contractor with this email already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.legal_name

    @property
    def legal_name(self) -> str:
        return " ".join(
            p for p in (self.first_name, self.middle_name, self.last_name) if p
        )

    @property
    def residence_state(self) -> str:
        return self.address_region


class CategoryCode(models.Model):
    """A job category (the API's ``jc_`` code), approved per platform, that the rate book maps to class codes."""

    public_id = PublicIdField(prefix="jc")
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    approved_platforms = models.ManyToManyField(
        Platform, blank=True, related_name="approved_category_codes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "category codes"

    def __str__(self) -> str:
        return self.name


class WorkJob(Addressed):
    """Work a platform dispatches techs to (the API's "job", ``jb_``): its address is the WC work state."""

    class WageType(models.TextChoices):
        FLATFEE = "flatfee", "Flat fee"
        HOURLY = "hourly", "Hourly"
        UNIT = "unit", "Per unit"
        BLENDED = "blended", "Blended"

    public_id = PublicIdField(prefix="jb")
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="work_jobs"
    )
    entity = models.ForeignKey(
        Entity, on_delete=models.PROTECT, related_name="work_jobs"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category_code = models.ForeignKey(
        CategoryCode,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_jobs",
    )
    # What one dispatch of this job pays the tech, in cents (see coverage.ledger).
    wage = models.BigIntegerField(help_text="cents")
    wage_type = models.CharField(max_length=10, choices=WageType.choices)
    custom_metadata = models.JSONField(default=dict, blank=True)
    years_experience = models.PositiveIntegerField(null=True, blank=True)
    withhold_premium = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = "work job"
        indexes = [
            models.Index(fields=["platform", "-id"], name="coverage_workjob_plat_idx")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def work_state(self) -> str:
        return self.address_region


class Quote(models.Model):
    """A priced offer of coverage for one contractor doing one job over a window.

    The rating is a snapshot: what the contractor saw is what binds, whatever the
    rate book says later. ``policy`` is set once the quote is bound.
    """

    public_id = PublicIdField(prefix="qt")
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="quotes"
    )
    contractor = models.ForeignKey(
        Contractor, on_delete=models.PROTECT, related_name="quotes"
    )
    job = models.ForeignKey(WorkJob, on_delete=models.PROTECT, related_name="quotes")
    # CoverageType values, in the order the caller asked for them.
    lines = models.JSONField(default=list)
    effective_at = models.DateTimeField()
    end_at = models.DateTimeField()
    eligible = models.BooleanField(default=True)
    # What the quote was rated for; a bound policy carries exactly these terms.
    wc_state = models.CharField(max_length=2, blank=True)
    gl_state = models.CharField(max_length=2, blank=True)
    category_code = models.ForeignKey(
        CategoryCode, null=True, on_delete=models.PROTECT, related_name="+"
    )
    # rating.Rating.as_wire(): {"wc": {"state", "class_code", "rate", "net_rate"}, ...}
    rating = models.JSONField(default=dict)
    net_rate = models.PositiveIntegerField(default=0, help_text="cents per $100")
    policy = models.OneToOneField(
        "policies.Policy",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quote",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["platform", "-id"], name="coverage_quote_plat_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_at__gt=models.F("effective_at")),
                name="coverage_quote_window_positive",
                violation_error_message="A quote ends after it takes effect.",
            )
        ]

    def __str__(self) -> str:
        return self.public_id

    def net_rate_for(self, key: str) -> int | None:
        """A line's net rate by its wire key ("wc", "gl", ...), None when not quoted."""
        line = self.rating.get(key)
        return None if line is None else int(line["net_rate"])


# Crockford's base 32: no I, L, O or U, so ids survive being read aloud or retyped.
CROCKFORD32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_ulid(at: datetime | None = None) -> str:
    """A ULID: 48 bits of milliseconds then 80 random bits, 26 characters, sortable by time."""
    millis = int((at or datetime.now(tz=UTC)).timestamp() * 1000)
    value = (millis << 80) | secrets.randbits(80)
    return "".join(CROCKFORD32[(value >> shift) & 31] for shift in range(125, -1, -5))


def new_session_id() -> str:
    """``ias_`` + a 26-character ULID: time-ordered, like the public API's session ids."""
    return f"ias_{new_ulid()}"


def new_session_token() -> str:
    # The hosted page needs no login: this token is the contractor's only key to it.
    return secrets.token_urlsafe(32)


class ApplicationSession(models.Model):
    """A hosted opt-in for one quote: the contractor reviews, attests, and binds it."""

    class Step(models.TextChoices):
        VERIFY_INFO = "verify_info", "Verify information"
        APPLICATION_QUESTIONS = "application_questions", "Application questions"
        ESIGNATURE_DOCUMENT = "esignature_document", "E-signature"
        ADD_CARD_DETAILS = "add_card_details", "Card details"
        FINAL_REVIEW = "final_review", "Final review"
        APPLICATION_COMPLETE = "application_complete", "Application complete"

    public_id = models.CharField(
        max_length=30, unique=True, default=new_session_id, editable=False
    )
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="application_sessions"
    )
    quote = models.ForeignKey(
        Quote, on_delete=models.PROTECT, related_name="application_sessions"
    )
    # The uncovered dispatch this opt-in was sent to fix (the dispatcher's "send opt-in
    # link"); completing the session decides that dispatch's coverage again.
    assignment = models.ForeignKey(
        "Assignment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opt_in_sessions",
    )
    token = models.CharField(
        max_length=64, unique=True, default=new_session_token, editable=False
    )
    url = models.URLField(max_length=500)
    success_url = models.URLField(max_length=2000, blank=True)
    cancel_url = models.URLField(max_length=2000, blank=True)
    step = models.CharField(
        max_length=24, choices=Step.choices, default=Step.VERIFY_INFO
    )
    # A session lapses at ``expires_at`` by itself, or earlier through /expire.
    expires_at = models.DateTimeField()
    expired_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["platform", "-id"], name="coverage_session_plat_idx")
        ]

    def __str__(self) -> str:
        return self.public_id

    def is_expired(self, at: datetime) -> bool:
        return self.expired_at is not None or (
            self.completed_at is None and at >= self.expires_at
        )


class Assignment(models.Model):
    """One dispatch: a contractor on a job for a window, its eligibility and its premium.

    ``premium`` mirrors the sum of the assignment's ledger entries; the ledger is the
    record, this column saves a SUM on every read.
    """

    public_id = PublicIdField(prefix="an")
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="assignments"
    )
    contractor = models.ForeignKey(
        Contractor, on_delete=models.PROTECT, related_name="assignments"
    )
    job = models.ForeignKey(
        WorkJob, on_delete=models.PROTECT, related_name="assignments"
    )
    # The policy covering this dispatch; None when ineligible or not bound.
    policy = models.ForeignKey(
        "policies.Policy",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    bind = models.BooleanField(default=True)
    lines = models.JSONField(default=list)
    effective_at = models.DateTimeField()
    end_at = models.DateTimeField()
    eligible = models.BooleanField(default=False)
    eligibility_message = models.CharField(max_length=200)
    rating = models.JSONField(null=True, blank=True)
    net_rate = models.PositiveIntegerField(default=0, help_text="cents per $100")
    premium = models.BigIntegerField(default=0, help_text="cents")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["platform", "-id"], name="coverage_asg_plat_idx"),
            # /assignments/cancel and /extend find a job's latest assignment.
            models.Index(fields=["job", "-id"], name="coverage_asg_job_idx"),
            models.Index(fields=["contractor", "-id"], name="coverage_asg_cn_idx"),
            # The dispatcher's board: one platform's dispatches starting on a day; the
            # underwriter's board reads every platform's day.
            models.Index(
                fields=["platform", "effective_at"], name="coverage_asg_plat_start_idx"
            ),
            models.Index(fields=["effective_at"], name="coverage_asg_start_idx"),
            # Cancelling a policy cancels its assignments that start later.
            models.Index(
                fields=["policy", "effective_at"], name="coverage_asg_policy_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_at__gt=models.F("effective_at")),
                name="coverage_assignment_window_positive",
                violation_error_message="An assignment ends after it starts.",
            )
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_covered(self) -> bool:
        """Bound, eligible and not cancelled: the dispatch carries premium."""
        return self.eligible and self.bind and not self.is_cancelled


class LedgerQuerySet(models.QuerySet["LedgerEntry"]):
    """Only reads and inserts: an entry, once written, is never changed or removed."""

    def update(self, **kwargs: Any) -> int:
        raise LedgerIsAppendOnly(LEDGER_APPEND_ONLY)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise LedgerIsAppendOnly(LEDGER_APPEND_ONLY)


LEDGER_APPEND_ONLY = "Ledger entries are never changed or deleted; post a new entry."


class LedgerIsAppendOnly(Exception):
    pass


class LedgerEntry(models.Model):
    """One signed movement of premium for one line of one assignment, booked to a day.

    Append-only: a changed wage or window adds an adjustment, a cancellation a
    reversal. Any total (platform, contractor, entity, day) is a SUM over entries.
    """

    class Kind(models.TextChoices):
        CHARGE = "charge", "Charge"
        ADJUSTMENT = "adjustment", "Adjustment"
        REVERSAL = "reversal", "Reversal"

    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    # Denormalised from the assignment so every total is one indexed SUM.
    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    contractor = models.ForeignKey(
        Contractor, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    entity = models.ForeignKey(
        Entity, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    line = models.CharField(max_length=20)
    amount = models.BigIntegerField(help_text="cents, signed")
    books_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "ledger entries"
        indexes = [
            models.Index(
                fields=["platform", "books_on"], name="coverage_ledger_plat_day_idx"
            ),
            models.Index(
                fields=["contractor", "books_on"], name="coverage_ledger_cn_day_idx"
            ),
            models.Index(
                fields=["entity", "books_on"], name="coverage_ledger_en_day_idx"
            ),
            models.Index(
                fields=["assignment", "line", "books_on"],
                name="coverage_ledger_asg_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="charge") | Q(amount__gt=0),
                name="coverage_ledger_charge_positive",
                violation_error_message="A charge adds premium.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="reversal") | Q(amount__lt=0),
                name="coverage_ledger_reversal_negative",
                violation_error_message="A reversal takes premium back.",
            ),
            models.CheckConstraint(
                condition=~Q(amount=0),
                name="coverage_ledger_amount_nonzero",
                violation_error_message="An entry moves premium.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.line} {self.books_on}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise LedgerIsAppendOnly(LEDGER_APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise LedgerIsAppendOnly(LEDGER_APPEND_ONLY)


class Invoice(models.Model):
    """Premium due for one pay period of a contractor on a job (withheld / agency-remitted premium)."""

    public_id = PublicIdField(prefix="in")
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="invoices"
    )
    contractor = models.ForeignKey(
        Contractor, on_delete=models.PROTECT, related_name="invoices"
    )
    job = models.ForeignKey(WorkJob, on_delete=models.PROTECT, related_name="invoices")
    policy = models.ForeignKey(
        "policies.Policy", on_delete=models.PROTECT, related_name="invoices"
    )
    gross_pay = models.BigIntegerField(help_text="cents")
    paycycle_start = models.DateTimeField()
    paycycle_end = models.DateTimeField()
    premium_due = models.BigIntegerField(help_text="cents")
    purchase_order_number = models.CharField(max_length=100, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["platform", "-id"], name="coverage_invoice_plat_idx"),
            models.Index(fields=["contractor", "-id"], name="coverage_invoice_cn_idx"),
            models.Index(fields=["job", "paid_at"], name="coverage_invoice_job_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(paycycle_end__gt=models.F("paycycle_start")),
                name="coverage_invoice_paycycle_positive",
                violation_error_message="A pay cycle ends after it starts.",
            )
        ]

    def __str__(self) -> str:
        return self.public_id


class Event(models.Model):
    """Something that happened to a platform's data, with a snapshot of the resource then.

    Listed by GET /api/v1/events and delivered to the platform's webhook endpoints.
    """

    public_id = PublicIdField(prefix="ev", length=22)
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="events"
    )
    type = models.CharField(max_length=64)
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["platform", "-id"], name="coverage_event_platform_idx"
            ),
            models.Index(
                fields=["platform", "type", "-id"], name="coverage_event_type_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.public_id}"


# ---------------------------------------------------------------------------
# Rate book: category code × jurisdiction × line → class code → dated rates.
# Loaded from CSV by `manage.py import_rates` (coverage.rate_book); read only by
# coverage.rating.rate().


def coverage_line_choices() -> list[tuple[str, str]]:
    # policies.models imports this module, so CoverageType is looked up when the
    # choices are needed rather than imported at the top (a circular import).
    # Migrations refer to this function by name: keep the name.
    from policies.models import CoverageType

    return CoverageType.choices


class ClassCode(models.Model):
    """A rating class of one line in one jurisdiction (e.g. WC 9410 in NJ, WC 5183(3) in CA, GL 92215).

    The same number means different work in different states (NCCI 5183 is plumbing,
    California's 5183(3) is HVAC), so a class is only ever identified together with its
    jurisdiction and line.
    """

    jurisdiction = models.CharField(max_length=2)
    line = models.CharField(max_length=20, choices=coverage_line_choices)
    code = models.CharField(max_length=20)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["jurisdiction", "line", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "line", "code"],
                name="coverage_classcode_unique",
                violation_error_message="This class code already exists for that jurisdiction and line.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction} {self.line} {self.code}"


class ClassMapping(models.Model):
    """Which class a job category is rated in, for one line in one jurisdiction.

    ``jurisdiction`` and ``line`` repeat the class code's own so that the lookup rating
    makes (category, state, line) is one unique index; ``clean`` and the importer keep
    them equal to the class code's.
    """

    # No index of its own: the unique (category_code, jurisdiction, line) index leads with it.
    category_code = models.ForeignKey(
        CategoryCode,
        on_delete=models.CASCADE,
        related_name="class_mappings",
        db_index=False,
    )
    jurisdiction = models.CharField(max_length=2)
    line = models.CharField(max_length=20, choices=coverage_line_choices)
    class_code = models.ForeignKey(
        ClassCode, on_delete=models.PROTECT, related_name="mappings"
    )

    class Meta:
        ordering = ["category_code", "jurisdiction", "line"]
        constraints = [
            # Also the index rate() reads: category_code = ? AND (jurisdiction, line) IN (…).
            models.UniqueConstraint(
                fields=["category_code", "jurisdiction", "line"],
                name="coverage_classmapping_unique",
                violation_error_message="This category already has a class for that jurisdiction and line.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category_code_id} {self.jurisdiction} {self.line} → {self.class_code_id}"

    def clean(self) -> None:
        if self.class_code_id and (
            self.class_code.jurisdiction != self.jurisdiction
            or self.class_code.line != self.line
        ):
            raise ValidationError(
                {
                    "class_code": "The class code must belong to the mapping's jurisdiction and line."
                }
            )


class Rate(models.Model):
    """A class's rate from a date on: cents of premium per $100 of pay, as the rate book states it.

    The rate in force on a day is the one with the latest ``effective_date`` on or
    before that day; a change is a new row, so earlier dispatches keep their rate.
    """

    # PROTECT: rates are history that priced dispatches; they are never deleted with a
    # class. No index of its own: the unique (class_code, effective_date) index leads with it.
    class_code = models.ForeignKey(
        ClassCode, on_delete=models.PROTECT, related_name="rates", db_index=False
    )
    effective_date = models.DateField()
    rate = models.DecimalField(
        max_digits=10, decimal_places=4, help_text="cents of premium per $100 of pay"
    )
    # Where the number came from, e.g. "SAMPLE — not filed rates" or a filing reference.
    source = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["class_code", "-effective_date"]
        constraints = [
            # Also the index rate() reads: class_code = ? AND effective_date <= ?
            # ORDER BY effective_date DESC LIMIT 1 (a backward scan of this index).
            models.UniqueConstraint(
                fields=["class_code", "effective_date"],
                name="coverage_rate_unique_per_day",
                violation_error_message="This class already has a rate from that date.",
            ),
            models.CheckConstraint(
                condition=Q(rate__gte=0),
                name="coverage_rate_not_negative",
                violation_error_message="A rate cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.class_code} from {self.effective_date}: {self.rate}"


# ---------------------------------------------------------------------------
# Webhooks: where a platform wants its events, and every attempt to deliver them


class WebhookEndpoint(models.Model):
    """A URL of a platform's that receives its events, signed with this endpoint's secret."""

    # Subscribing to this (or to nothing) means every event type.
    ALL_EVENTS = "*"

    public_id = PublicIdField(prefix="whe", length=22)
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=500, blank=True)
    # Event type names, or ["*"] for all of them.
    events = models.JSONField(default=list, blank=True)
    # Kept in the clear on purpose: deliveries are signed with it (HMAC needs the
    # key itself) and the platform must be able to read it back to verify them.
    secret = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["platform", "-id"], name="coverage_whendpoint_plat_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.public_id} → {self.url}"

    @property
    def is_live(self) -> bool:
        return self.deleted_at is None

    def subscribes_to(self, event_type: str) -> bool:
        return (
            not self.events
            or self.ALL_EVENTS in self.events
            or event_type in self.events
        )


class DeliveryQuerySet(models.QuerySet):
    def due(self, *, at: datetime) -> DeliveryQuerySet:
        """Deliveries whose next attempt may start at ``at`` (served by the partial index)."""
        return self.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=at)


class Delivery(models.Model):
    """One event on its way to one endpoint: attempted until it succeeds or attempts run out."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        # The endpoint was deleted before the event got through.
        CANCELLED = "cancelled", "Cancelled"

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="deliveries"
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempt_count = models.PositiveSmallIntegerField(default=0)
    # When a worker may next attempt it; while an attempt runs, the end of that
    # worker's lease. Empty once the delivery is finished.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "deliveries"
        indexes = [
            # The workers' only question: which pending deliveries are due? (The
            # foreign keys' own indexes serve "deliveries of this event / endpoint".)
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="coverage_delivery_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id} ({self.status})"


class DeliveryAttempt(models.Model):
    """One POST of an event to an endpoint and what came back (or why nothing did)."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempts"
    )
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    # Empty while the POST is in flight, and forever if its worker died mid-attempt.
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # Why there was no usable response: refused, timed out, redirected, ...
    error = models.TextField(blank=True)
    response_excerpt = models.TextField(blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "number"], name="coverage_delivery_attempt_once"
            )
        ]

    def __str__(self) -> str:
        outcome = self.status_code or self.error or "in flight"
        return f"attempt {self.number}: {outcome}"


# ---------------------------------------------------------------------------
# Certificates of insurance: one per line of a covered dispatch (coverage.certificates)

CERTIFICATE_NUMBER_PREFIX = "COI-"
# 26 Crockford base-32 characters: 130 random bits. The number is the only key to the
# public verification page and PDF, so it must not be guessable or enumerable.
CERTIFICATE_NUMBER_RANDOM_LENGTH = 26


def new_certificate_number() -> str:
    random_part = "".join(
        secrets.choice(CROCKFORD32) for _ in range(CERTIFICATE_NUMBER_RANDOM_LENGTH)
    )
    return f"{CERTIFICATE_NUMBER_PREFIX}{random_part}"


def certificate_upload_to(certificate: Certificate, filename: str) -> str:
    # Downloads go through views, never through the storage's own URL; the random
    # part keeps every rendering a new object, so a bucket that overwrites on save
    # never replaces a file a download is still reading.
    return (
        f"certificates/{certificate.issued_at:%Y/%m}/"
        f"{certificate.number}-{secrets.token_hex(6)}.pdf"
    )


class Certificate(models.Model):
    """A certificate of insurance for one line (GL or WC) of one covered dispatch.

    ``document`` is the certificate as issued (a COI is a snapshot at issue: later
    edits of the contractor or entity do not rewrite it); the PDF is rendered from it
    by a background task and kept in Django's storage. ``render_pending`` is True
    while the stored PDF (if any) does not yet show the certificate's status:
    from issue until the first rendering, and again after a revocation, whose PDF
    is re-rendered with a VOID banner.
    """

    class Status(models.TextChoices):
        ISSUED = "issued", "Issued"
        REVOKED = "revoked", "Revoked"
        # The dispatch changed (window, job, policy term...): a new certificate
        # replaces this one.
        SUPERSEDED = "superseded", "Superseded"

    number = models.CharField(
        max_length=32, unique=True, default=new_certificate_number, editable=False
    )
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="certificates"
    )
    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="certificates"
    )
    policy = models.ForeignKey(
        "policies.Policy", on_delete=models.PROTECT, related_name="certificates"
    )
    line = models.CharField(max_length=20, choices=coverage_line_choices)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ISSUED
    )
    # The dispatch window certified (the GL additional-insured window), and the
    # policy's expiration when issued: the certificate is in force in between.
    effective_at = models.DateTimeField()
    end_at = models.DateTimeField()
    policy_expires_at = models.DateTimeField()
    # Copies of the document's parties, for the verification page and support's search.
    insured_name = models.CharField(max_length=200)
    holder_name = models.CharField(max_length=200)
    document = models.JSONField()
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=40, blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pdf = models.FileField(upload_to=certificate_upload_to, max_length=200, blank=True)
    render_pending = models.BooleanField(default=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["platform", "-id"], name="coverage_cert_plat_idx"),
            models.Index(
                fields=["policy", "line", "-id"], name="coverage_cert_pol_idx"
            ),
            # The sweep that renders certificates whose task was lost.
            models.Index(
                fields=["id"],
                condition=Q(render_pending=True),
                name="coverage_cert_pending_idx",
            ),
        ]
        constraints = [
            # At most one certificate in force per line of a dispatch.
            models.UniqueConstraint(
                fields=["assignment", "line"],
                condition=Q(status="issued"),
                name="coverage_cert_one_issued_per_line",
            ),
            models.CheckConstraint(
                condition=Q(end_at__gt=models.F("effective_at")),
                name="coverage_cert_window_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_rendered(self) -> bool:
        return bool(self.pdf)
