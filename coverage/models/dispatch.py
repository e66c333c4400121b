"""Work jobs, quotes, application sessions (opt in once) and assignments (dispatches)."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import (
    DateTimeRangeField,
    RangeBoundary,
    RangeOperators,
)
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce

from coverage.models import new_session_id, new_session_token
from coverage.models.base import Addressed, TenantQuerySet, one_of
from coverage.models.parties import CategoryCode, Contractor, Entity
from portal.fast_load import FastLoad
from portal.ids import PublicIdField
from portal.models import Platform, validate_zone
from portal.zones import ZoneInfo, site_zone


class WorkJobQuerySet(TenantQuerySet):
    def search(self, q: str) -> Self:
        """Jobs matching every word of ``q`` in their name, their customer's name or
        their site's city, or the job with that id.

        Each word is one OR that PostgreSQL answers from indexes (trigram indexes on
        the names and city, migration 0016): the customer's name through its own
        table's index, not a join, so the OR stays a bitmap of indexes.
        """
        found = self
        for term in q.split():
            customers = Entity.objects.filter(name__icontains=term).values("pk")
            found = found.filter(
                Q(name__icontains=term)
                | Q(address_locality__icontains=term)
                | Q(public_id=term)
                | one_of("entity_id", customers)
            )
        return found


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
    # What one dispatch of this job pays the tech, in cents (see coverage.services.ledger).
    wage = models.BigIntegerField(help_text="cents")
    wage_type = models.CharField(max_length=10, choices=WageType.choices)
    # Hours one dispatch of an hourly job takes; without it an hourly dispatch is paid
    # for its window (coverage.services.terms.dispatch_pay).
    duration_hours = models.PositiveIntegerField(null=True, blank=True)
    custom_metadata = models.JSONField(default=dict, blank=True)
    years_experience = models.PositiveIntegerField(null=True, blank=True)
    withhold_premium = models.BooleanField(default=False)
    # The site's zone when its address's state and postal code give the wrong one (a
    # county on the other side of a state's zone line); blank: from the address.
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_zone],
        help_text="IANA name, e.g. America/Denver. Blank: from the site's address.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = WorkJobQuerySet.as_manager()

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

    @property
    def zone(self) -> ZoneInfo:
        """The job site's local zone: certificates and the tech's e-mails read in it."""
        return site_zone(
            region=self.address_region,
            postal_code=self.address_postalcode,
            override=self.time_zone,
        )


class Quote(FastLoad):
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
    # Why not, when not eligible (eligibility.quote_eligibility); blank when eligible.
    eligibility_message = models.CharField(max_length=300, blank=True)
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


class ApplicationSession(FastLoad):
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
    # When the contractor first opened the hosted page (application.started).
    started_at = models.DateTimeField(null=True, blank=True)
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


# The one rule for "this dispatch is covered" as a filter: bound, eligible and not
# cancelled. ``Assignment.is_covered`` is the same rule for one row in memory.
COVERED = Q(eligible=True, bind=True, cancelled_at__isnull=True)

# The constraint that refuses a second live dispatch of one contractor on one job for
# an overlapping window (coverage.services.assignments turns its violation into the
# API's error). PostgreSQL only: its migration skips other databases.
ONE_DISPATCH_PER_WINDOW = "coverage_assignment_one_per_window"


class TsTzRange(models.Func):
    """PostgreSQL's ``tstzrange(start, end, '[)')``: the window an exclusion compares."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class AssignmentQuerySet(TenantQuerySet):
    def covered(self) -> Self:
        """Dispatches that carry premium (``COVERED``); deleted ones are ``live()``'s call."""
        return self.filter(COVERED)


class Assignment(FastLoad):
    """One dispatch: a contractor on a job for a window, its eligibility and its premium.

    ``premium`` mirrors the sum of the assignment's ledger entries; the ledger is the
    record, this column saves a SUM on every read.
    """

    public_id = PublicIdField(prefix="an")
    # The foreign keys have no single-column index each: an index of Meta leads with
    # each (platform, contractor, job, policy), and on ten million dispatches every
    # index is one more random leaf page an INSERT must fetch.
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="assignments", db_index=False
    )
    contractor = models.ForeignKey(
        Contractor,
        on_delete=models.PROTECT,
        related_name="assignments",
        db_index=False,
    )
    job = models.ForeignKey(
        WorkJob, on_delete=models.PROTECT, related_name="assignments", db_index=False
    )
    # The policy covering this dispatch; None when ineligible or not bound.
    policy = models.ForeignKey(
        "policies.Policy",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
        db_index=False,
    )
    bind = models.BooleanField(default=True)
    lines = models.JSONField(default=list)
    effective_at = models.DateTimeField()
    end_at = models.DateTimeField()
    # The job's end as dispatched, when the coverage runs past it (a same-day end is
    # covered to midnight, the API's rule): the job window is effective_at-work_end_at.
    work_end_at = models.DateTimeField(null=True, blank=True)
    eligible = models.BooleanField(default=False)
    eligibility_message = models.CharField(max_length=200)
    # Lines the tech's own approved certificates cover for this window, line →
    # {"certificate": ``ci_`` id, "expires": ISO day} (coverage.services.own_cover): not
    # in ``lines``, not priced, not certified.
    own_cover = models.JSONField(default=dict, blank=True)
    rating = models.JSONField(null=True, blank=True)
    net_rate = models.PositiveIntegerField(default=0, help_text="cents per $100")
    premium = models.BigIntegerField(default=0, help_text="cents")
    # The pay the premium was rated on (terms.dispatch_pay): the estimate, in cents.
    pay = models.BigIntegerField(default=0, help_text="cents")
    # The pay reported as really earned (an invoice's gross pay), once known: the
    # premium is then rated on it (coverage.services.actuals).
    actual_pay = models.BigIntegerField(null=True, blank=True, help_text="cents")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

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
            ),
            # The work's window, not the coverage's: two shifts on one day are two
            # dispatches even though both are covered to midnight. Cancelled (and so
            # deleted) dispatches free their window.
            ExclusionConstraint(
                name=ONE_DISPATCH_PER_WINDOW,
                expressions=[
                    ("contractor", RangeOperators.EQUAL),
                    ("job", RangeOperators.EQUAL),
                    (
                        TsTzRange(
                            "effective_at",
                            Coalesce("work_end_at", "end_at"),
                            RangeBoundary(),
                        ),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=Q(cancelled_at__isnull=True, deleted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def job_end_at(self) -> datetime:
        """When the work ends: before the coverage's end when that was moved to midnight."""
        return self.work_end_at or self.end_at

    @property
    def own_certificate_ids(self) -> dict[str, str]:
        """Lines the tech's own certificates cover, line → ``ci_`` id (the API's)."""
        return {
            line: kept["certificate"]
            for line, kept in sorted((self.own_cover or {}).items())
        }

    @property
    def is_covered(self) -> bool:
        """Bound, eligible and not cancelled: the dispatch carries premium (``COVERED``)."""
        return self.eligible and self.bind and not self.is_cancelled
