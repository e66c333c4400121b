"""Onboarding a platform in one step, and approving trades (job categories) for it.

``onboard_platform`` creates the platform (or updates the one of that name) with its trades
approved, its time zone, its hosted-flow redirect allow-list and its default insurance
requirement; ``manage.py onboard_platform`` and the admin's "Onboard a platform" page both
call it. ``approve_categories`` is the one way a category becomes approved for a platform
after the fact, so that ``category_code.added`` is sent whenever one is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from coverage.api.serializers import category_code_json
from coverage.audit import Actor, AuditAction, audited
from coverage.audit import before as audit_before
from coverage.models import CategoryCode
from coverage.services.inputs import clean_lines
from coverage.webhooks import events
from policies.products import ensure_contractor_product
from portal.models import Platform

ALL_TRADES = "all"
EMPTY_NAME = "The platform name is empty."
NAME_TOO_LONG = "The platform name is longer than 200 characters."
UNKNOWN_TRADES = (
    "No job category named {names}. Import the rate book that defines it first "
    "(manage.py import_rates), or name one of: {known}."
)
NO_TRADES_ON_FILE = (
    "There are no job categories on file yet: import a rate book first "
    "(manage.py import_rates)."
)
UNKNOWN_TIME_ZONE = (
    '"{value}" is not a time zone. Use an IANA name such as America/New_York.'
)
BAD_REDIRECT_HOST = (
    '"{value}" is not a host name. Give the host alone, such as app.example.com '
    "(no scheme, path or port)."
)

# A DNS host name: labels of letters, digits and hyphens, not starting or ending with one.
_HOST = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)


@dataclass
class Onboarding:
    """What ``onboard_platform`` did: the platform, whether it is new, the trades it approved."""

    platform: Platform
    created: bool
    approved: list[CategoryCode] = field(default_factory=list)


def approve_categories(
    *, platform: Platform, categories: Iterable[CategoryCode]
) -> list[CategoryCode]:
    """Approve ``categories`` for ``platform``; those not yet approved send ``category_code.added``.

    Returns the categories newly approved. Safe to call concurrently: the through table's
    unique pair decides, and only the call that inserted a pair announces it.
    """
    wanted = {c.pk: c for c in categories}
    if not wanted:
        return []
    through = CategoryCode.approved_platforms.through
    # Four queries however many trades: a rate book approves a whole file at once.
    with transaction.atomic(savepoint=False):
        # Lock the platform row: two approvals of the same trade at once announce it once.
        Platform.objects.select_for_update().filter(pk=platform.pk).first()
        already = set(
            through.objects.filter(
                platform_id=platform.pk, categorycode_id__in=wanted
            ).values_list("categorycode_id", flat=True)
        )
        added = [c for pk, c in sorted(wanted.items()) if pk not in already]
        if added:
            through.objects.bulk_create(
                through(categorycode_id=c.pk, platform_id=platform.pk) for c in added
            )
            events.emit_many(
                platform=platform,
                type="category_code.added",
                data=[dict(category_code_json(c)) for c in added],
            )
    return added


def resolve_trades(trades: Sequence[str]) -> list[CategoryCode]:
    """Job categories named by ``trades``: ``all``, or names (any case) and ``jc_`` codes."""
    names = [t.strip() for t in trades if t.strip()]
    if any(n.lower() == ALL_TRADES for n in names):
        found = list(CategoryCode.objects.all())
        if not found:
            raise ValidationError({"trades": NO_TRADES_ON_FILE}, code="invalid_input")
        return found
    query = Q(pk__in=[])
    for name in names:
        query |= Q(name__iexact=name) | Q(public_id=name)
    found = list(CategoryCode.objects.filter(query))
    known = {c.name.lower() for c in found} | {c.public_id for c in found}
    missing = [n for n in names if n.lower() not in known and n not in known]
    if missing:
        on_file = ", ".join(CategoryCode.objects.values_list("name", flat=True))
        raise ValidationError(
            {
                "trades": UNKNOWN_TRADES.format(
                    names=", ".join(f'"{m}"' for m in missing),
                    known=on_file or "(none on file)",
                )
            },
            code="invalid_input",
        )
    return found


def clean_time_zone(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            {"time_zone": UNKNOWN_TIME_ZONE.format(value=value)}, code="invalid_input"
        ) from exc
    return value


def clean_redirect_hosts(hosts: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in hosts:
        host = raw.strip().lower().rstrip(".")
        if not _HOST.match(host):
            raise ValidationError(
                {
                    "hosted_flow_allowed_redirect_hosts": BAD_REDIRECT_HOST.format(
                        value=raw
                    )
                },
                code="invalid_input",
            )
        if host not in cleaned:
            cleaned.append(host)
    return cleaned


def clean_platform_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": EMPTY_NAME}, code="invalid_input")
    if len(name) > 200:
        raise ValidationError({"name": NAME_TOO_LONG}, code="invalid_input")
    return name


@transaction.atomic
def onboard_platform(
    *,
    name: str,
    trades: Sequence[str] | None = None,
    time_zone: str | None = None,
    redirect_hosts: Sequence[str] | None = None,
    default_requirement: Sequence[str] | None = None,
    by: Actor = None,
    via: str | None = None,
) -> Onboarding:
    """Create the platform called ``name``, or update it, with what the arguments give.

    An argument left None leaves that setting as it is on an existing platform. Trades are
    only ever added: withdrawing one would strand the jobs already filed under it, so that
    stays a deliberate act in the admin. Everything is checked before anything is written.
    """
    name = clean_platform_name(name)
    categories = resolve_trades(trades) if trades else []
    zone = clean_time_zone(time_zone) if time_zone is not None else None
    hosts = clean_redirect_hosts(redirect_hosts) if redirect_hosts is not None else None
    requirement = (
        clean_lines(default_requirement, field="default_insurance_requirement")
        if default_requirement
        else ([] if default_requirement is not None else None)
    )

    # A platform's contractors opt in to the contractor product: make sure it exists,
    # so a fresh installation can bind its first policy.
    ensure_contractor_product()
    platform, created = Platform.objects.select_for_update().get_or_create(name=name)
    was = None if created else audit_before(platform)
    # The default requirement is the review's JSON (coverage.uploads.requirements):
    # onboarding sets which lines it asks for and keeps the limits support may have set.
    # An explicitly empty list removes it.
    changed: list[str] = []
    if requirement is not None:
        default = (
            {
                **(platform.default_insurance_requirement or {}),
                "required_coverage": requirement,
            }
            if requirement
            else None
        )
        if platform.default_insurance_requirement != default:
            platform.default_insurance_requirement = default
            changed.append("default_insurance_requirement")
    for attribute, value in (
        ("time_zone", zone),
        ("hosted_flow_allowed_redirect_hosts", hosts),
    ):
        if value is not None and getattr(platform, attribute) != value:
            setattr(platform, attribute, value)
            changed.append(attribute)
    if changed:
        platform.save(update_fields=changed)
    if created or changed:
        audited(
            by=by,
            via=via,
            row=platform,
            action=AuditAction.CREATED if created else AuditAction.CHANGED,
            before=was,
        )
    approved = approve_categories(platform=platform, categories=categories)
    return Onboarding(platform=platform, created=created, approved=approved)
