"""One dispatch ("ticket") as the dispatcher sees it: its status, a chip per line, its
coverage rows and certificates. Reads only.

A ticket's status comes from what the assignment service recorded (eligibility, bind,
cancellation) plus whether an opt-in link sent for it is still open; nothing here
decides coverage again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from coverage import certificates
from coverage.models import (
    COVERED,
    ApplicationSession,
    Assignment,
    Certificate,
    Charge,
    WorkJob,
)
from coverage.rating import LINE_ORDER, WIRE_KEYS
from coverage.services import open_sessions
from coverage.services.own_cover import lapsing
from coverage.views.formatting import when
from coverage.wording import coverage_advice
from policies.lines import CoverageType
from policies.models import Policy, PolicyStatus
from portal.models import User

# Short names for chips; the full label is the CoverageType's.
LINE_SHORT: dict[str, str] = {
    CoverageType.WORKERS_COMP: "WC",
    CoverageType.GENERAL: "GL",
    CoverageType.PROFESSIONAL: "PL",
    CoverageType.MEDIA: "Media",
    CoverageType.CYBER: "Cyber",
}
NOT_BOUND = "Reported without binding: no coverage was issued for this dispatch."
CANCELLED_NOTE = "Cancelled before it started; its premium was reversed."
PENDING_NOTE = "Opt-in link sent {sent}; covered once the tech completes it."
COVERED_UNTIL = (
    "Covered until {when}: its policy is cancelled from then; the premium counts "
    "the covered part."
)
# Cover is never retroactive: a link sent once the dispatch had started (or re-quoted
# later) starts after it, and completing it cannot cover this ticket.
PENDING_TOO_LATE_NOTE = (
    "Opt-in link sent {sent}, but its cover starts {starts}, after this dispatch "
    "does: completing it cannot cover this ticket."
)
# What a ticket shows when neither the dispatch nor its customer names any line.
DEFAULT_LINES: tuple[str, ...] = (CoverageType.WORKERS_COMP, CoverageType.GENERAL)


class Status(models.TextChoices):
    COVERED = "covered", "Covered"
    PENDING = "pending", "Opt-in pending"
    NOT_COVERED = "not_covered", "Not covered"
    CANCELLED = "cancelled", "Cancelled"


# Each status as a filter over assignments annotated with ``opt_in_open``.
_LIVE = Q(cancelled_at__isnull=True)
STATUS_FILTERS: dict[str, Q] = {
    Status.COVERED: COVERED,
    Status.PENDING: _LIVE & ~COVERED & Q(opt_in_open=True),
    Status.NOT_COVERED: _LIVE & ~COVERED & Q(opt_in_open=False),
    Status.CANCELLED: Q(cancelled_at__isnull=False),
}


def visible_tickets(user: User) -> QuerySet[Assignment]:
    """Every live dispatch ``user`` may see: a dispatcher's platform, or all of them."""
    return Assignment.objects.visible_to(user).live()


def with_status(
    queryset: QuerySet[Assignment], *, at: datetime
) -> QuerySet[Assignment]:
    """Annotate ``opt_in_open``: an opt-in link sent for the ticket can still be completed."""
    return queryset.annotate(
        opt_in_open=Exists(open_sessions(at).filter(assignment=OuterRef("pk")))
    )


# What a certificate link needs; the document column can be large.
CERTIFICATE_FIELDS = (
    "id",
    "number",
    "line",
    "status",
    "assignment_id",
    "effective_at",
    "end_at",
    "policy_expires_at",
)


def for_display(
    queryset: QuerySet[Assignment], *, at: datetime
) -> QuerySet[Assignment]:
    """What a ticket row reads, fetched with the rows: three queries for any number.

    ``charge_pending``: a card payer's premium charge is scheduled and not yet run
    (the board's "Charge pending" chip), a subquery of the rows' own query.
    """
    pending_charge = Charge.objects.filter(
        assignment=OuterRef("pk"), status=Charge.Status.PENDING
    )
    return (
        queryset.select_related(
            "platform", "contractor", "job__entity", "job__category_code", "policy"
        )
        .annotate(
            charge_pending=Exists(pending_charge),
            # The work state of the tech's latest active policy here, so a work-state
            # mismatch can say which state the policy covers (a subquery on the policy
            # index: no extra query).
            policy_work_state=Subquery(
                Policy.objects.filter(
                    contractor=OuterRef("contractor"),
                    platform=OuterRef("platform"),
                    status=PolicyStatus.ACTIVE,
                )
                .order_by("-effective_at")
                .values("wc_state")[:1]
            ),
        )
        .prefetch_related(
            Prefetch(
                "opt_in_sessions",
                queryset=open_sessions(at).select_related("quote").order_by("-pk"),
                to_attr="open_opt_ins",
            ),
            Prefetch(
                "certificates",
                queryset=Certificate.objects.filter(status=Certificate.Status.ISSUED)
                .only(*CERTIFICATE_FIELDS)
                .order_by("line"),
                to_attr="issued_certificates",
            ),
        )
    )


OWN_CHIP = "own {short} (approved)"
OWN_LAPSES = "own {short} lapses {day}"


@dataclass(frozen=True)
class LineChip:
    line: str  # CoverageType value
    status: str  # a Status value
    state: str = ""  # the jurisdiction the line was routed to, when rated
    class_code: str = ""
    # The ``ci_`` id of the tech's own approved certificate covering the line, when
    # it is theirs and not ours (coverage.services.own_cover).
    own_certificate: str = ""
    # When that certificate expires within 30 days: the day (the board warns).
    own_lapses: date | None = None

    # Cached: a board page reads each of these a few hundred times.
    @cached_property
    def short(self) -> str:
        return LINE_SHORT.get(self.line, self.line)

    @cached_property
    def label(self) -> str:
        return str(CoverageType(self.line).label)

    @cached_property
    def status_label(self) -> str:
        return str(Status(self.status).label)

    @cached_property
    def text(self) -> str:
        """What the chip says: "GL covered", or "own GL (approved)" for the tech's own."""
        if self.own_certificate:
            return OWN_CHIP.format(short=self.short)
        return f"{self.short} {self.status_label.lower()}"

    @cached_property
    def warning(self) -> str:
        if self.own_lapses is None:
            return ""
        day = self.own_lapses
        return OWN_LAPSES.format(
            short=self.short, day=f"{day:%b} {day.day}, {day.year}"
        )


@dataclass
class Ticket:
    """One dispatch as the board and the ticket page show it."""

    assignment: Assignment
    status: str
    lines: list[LineChip]
    opt_in: ApplicationSession | None = None
    changed: bool = False
    # The crew this dispatch belongs to (several techs on one job at one start), and
    # whether it is the crew's first row on the board; None for a tech alone.
    crew: Crew | None = None
    crew_lead: bool = False

    @cached_property
    def status_label(self) -> str:
        return str(Status(self.status).label)

    @property
    def charge_pending(self) -> bool:
        """Covered once the card is charged: the premium charge is still to run."""
        return self.status == Status.NOT_COVERED and bool(
            getattr(self.assignment, "charge_pending", False)
        )

    @property
    def needs_opt_in(self) -> bool:
        return self.status == Status.NOT_COVERED

    @cached_property
    def note(self) -> str:
        """While an opt-in link is out: when it went, and what happens next."""
        if self.opt_in is None:
            return ""
        sent = when(self.opt_in.created_at)
        starts = self.opt_in.quote.effective_at
        if starts > self.assignment.effective_at:
            return PENDING_TOO_LATE_NOTE.format(sent=sent, starts=when(starts))
        return PENDING_NOTE.format(sent=sent)

    @cached_property
    def covered_until(self) -> datetime | None:
        """When cover ends early: its policy's cancellation took (or takes) effect
        while the dispatch runs; the dispatch keeps the policy that covered the part
        before it (``coverage.services.redecide``)."""
        a = self.assignment
        policy = a.policy
        if a.is_cancelled or policy is None or policy.cancelled_at is None:
            return None
        if a.effective_at < policy.cancelled_at < a.end_at:
            return policy.cancelled_at
        return None

    @cached_property
    def reason(self) -> str:
        """Why the ticket is not covered and what to do, in one plain sentence.

        "" when covered, and while an opt-in link is out (the note says what happens
        next; the check's "no active policy" would contradict it).
        """
        a = self.assignment
        if self.covered_until is not None:
            return COVERED_UNTIL.format(when=when(self.covered_until))
        if self.status in (Status.COVERED, Status.PENDING):
            return ""
        if self.status == Status.CANCELLED:
            return CANCELLED_NOTE
        if a.eligible and not a.bind:
            return NOT_BOUND
        return self.advice

    @cached_property
    def advice(self) -> str:
        """The coverage check's message in plain words (coverage.wording)."""
        a = self.assignment
        return coverage_advice(
            a.eligibility_message,
            tech=a.contractor.first_name or a.contractor.legal_name,
            work_state=a.job.address_region,
            home_state=a.contractor.address_region,
            policy_work_state=getattr(a, "policy_work_state", "") or "",
            trade=a.job.category_code.name if a.job.category_code else "",
            customer=a.job.entity.name,
        )

    @cached_property
    def certificates(self) -> list[Certificate]:
        """The ticket's certificates in force (one per certified line), GL first."""
        return list(getattr(self.assignment, "issued_certificates", ()))

    @cached_property
    def class_codes(self) -> list[LineChip]:
        return [chip for chip in self.lines if chip.class_code]


def ordered_lines(*groups: Iterable[str]) -> list[str]:
    """The union of ``groups`` in the API's line order."""
    wanted = {line for group in groups for line in group}
    return [line for line in LINE_ORDER if line in wanted]


def ticket_status(assignment: Assignment, opt_in: ApplicationSession | None) -> str:
    if assignment.is_cancelled:
        return Status.CANCELLED
    if assignment.is_covered:
        return Status.COVERED
    return Status.PENDING if opt_in is not None else Status.NOT_COVERED


def _routing(snapshot: dict[str, Any] | None, line: str) -> tuple[str, str]:
    rated = (snapshot or {}).get(WIRE_KEYS.get(line, line))
    return (rated["state"], rated["class_code"]) if rated else ("", "")


def line_chips(
    assignment: Assignment, status: str, opt_in: ApplicationSession | None
) -> list[LineChip]:
    """One chip per line the dispatch carries or its customer requires.

    A covered dispatch covers exactly its lines, so a line the customer requires
    but the dispatch does not carry shows as not covered.
    """
    required = assignment.job.entity.required_coverage
    own = assignment.own_certificate_ids
    lapses = lapsing(assignment.own_cover, today=timezone.now().date())
    shown = ordered_lines(assignment.lines, required, own) or list(DEFAULT_LINES)
    chips = []
    for line in shown:
        state, code = _routing(assignment.rating, line)
        if status == Status.CANCELLED:
            line_status = Status.CANCELLED
        elif status == Status.COVERED and line in own:
            chips.append(
                LineChip(
                    line,
                    Status.COVERED,
                    own_certificate=own[line],
                    own_lapses=lapses.get(line),
                )
            )
            continue
        elif status == Status.COVERED:
            line_status = (
                Status.COVERED if line in assignment.lines else Status.NOT_COVERED
            )
        elif opt_in is not None and line in opt_in.quote.lines:
            line_status = Status.PENDING
            state, code = _routing(opt_in.quote.rating, line)
        else:
            line_status = Status.NOT_COVERED
        chips.append(LineChip(line, line_status, state, code))
    return chips


def ticket(assignment: Assignment, *, since: datetime | None = None) -> Ticket:
    """``assignment`` (fetched ``for_display``) as a ticket."""
    opened: Sequence[ApplicationSession] = getattr(assignment, "open_opt_ins", ())
    opt_in = opened[0] if opened and not assignment.is_covered else None
    status = ticket_status(assignment, opt_in)
    return Ticket(
        assignment=assignment,
        status=status,
        lines=line_chips(assignment, status, opt_in),
        opt_in=opt_in,
        changed=since is not None and assignment.updated_at > since,
    )


@dataclass(eq=False)
class Crew:
    """Several techs sent to one job at one start: each has their own dispatch."""

    members: list[Ticket]

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def covered(self) -> int:
        return sum(1 for t in self.members if t.status == Status.COVERED)

    @property
    def job(self) -> WorkJob:
        return self.members[0].assignment.job


@dataclass(frozen=True)
class CoverageRow:
    """One line of a ticket: its chip, net rate and what the ledger holds for it."""

    chip: LineChip
    net_rate: int | None
    premium: int


def coverage_rows(ticket: Ticket, entries: Iterable[Any]) -> list[CoverageRow]:
    """The ticket's lines with their ledger balances (``entries``: its LedgerEntry rows)."""
    balances: dict[str, int] = {}
    for entry in entries:
        balances[entry.line] = balances.get(entry.line, 0) + entry.amount
    snapshot = ticket.assignment.rating or {}
    rows = []
    for chip in ticket.lines:
        rated = snapshot.get(WIRE_KEYS.get(chip.line, chip.line))
        rows.append(
            CoverageRow(
                chip=chip,
                net_rate=int(rated["net_rate"]) if rated else None,
                premium=balances.get(chip.line, 0),
            )
        )
    return rows


# A certificate's standing (coverage.certificates.standing), as the portal words it.
STANDING_LABELS: dict[str, str] = {
    certificates.IN_FORCE: "In force",
    certificates.SCHEDULED: "Scheduled",
    certificates.EXPIRED: "Expired",
    certificates.REVOKED: "Revoked",
    certificates.SUPERSEDED: "Replaced",
}
# Chip colours by standing: valid ones green, the others grey or red.
STANDING_CHIPS: dict[str, str] = {
    certificates.IN_FORCE: "covered",
    certificates.SCHEDULED: "covered",
    certificates.EXPIRED: "cancelled",
    certificates.REVOKED: "not_covered",
    certificates.SUPERSEDED: "cancelled",
}


@dataclass(frozen=True)
class CertificateRow:
    certificate: Certificate
    standing: str
    verification_url: str

    @property
    def label(self) -> str:
        return STANDING_LABELS[self.standing]

    @property
    def chip(self) -> str:
        return STANDING_CHIPS[self.standing]

    @property
    def reason(self) -> str:
        return certificates.REVOCATION_TEXT.get(self.certificate.revocation_reason, "")


def certificate_rows(
    found: Iterable[Certificate], *, at: datetime
) -> list[CertificateRow]:
    """Certificates with their standing at ``at`` and the verification link their PDF prints."""
    return [
        CertificateRow(
            certificate=c,
            standing=certificates.standing(c, at=at),
            verification_url=certificates.verification_url(c.number),
        )
        for c in found
    ]
