from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from portal.fast_load import FastLoad
from portal.ids import PublicIdField
from portal.zones import (
    UNKNOWN_ZONE,
    UTC_ZONE,
    ZoneInfo,
    is_zone,
    zone_name_for_address,
    zone_named,
)


def validate_zone(value: str) -> None:
    """A model field validator: blank, or a zone the tz database knows."""
    if value and not is_zone(value):
        raise ValidationError(UNKNOWN_ZONE.format(value=value), code="invalid")


class Role(models.TextChoices):
    DISPATCHER = "dispatcher", "Dispatcher"
    UNDERWRITER = "underwriter", "Underwriter"
    SUPPORT = "support", "Support"


# Apps whose every model the support role may view and fix in the admin.
# "axes": unlocking a locked-out user (delete the access attempt); "otp_totp":
# removing a user's lost authenticator so they can set up a new one.
SUPPORT_APP_LABELS = frozenset(
    {"portal", "coverage", "policies", "django_tasks_database", "axes", "otp_totp"}
)


class PlatformQuerySet(models.QuerySet["Platform"]):
    def visible_to(self, user: User) -> PlatformQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.sees_all_platforms:
            return self
        return self.filter(pk=user.platform_id) if user.platform_id else self.none()

    def search(self, q: str) -> PlatformQuerySet:
        """Platforms whose name holds every word of ``q``, or the one with that id."""
        found = self
        for term in q.split():
            found = found.filter(
                models.Q(name__icontains=term) | models.Q(public_id=term)
            )
        return found


class Platform(FastLoad):
    """A labor platform: the tenant whose dispatch system and dispatchers use the product."""

    public_id = PublicIdField(prefix="pf")
    name = models.CharField(max_length=200, unique=True)
    # An IANA zone name ("America/New_York"); blank: the zone of the platform's address.
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_zone],
        help_text="IANA name, e.g. America/New_York. Blank: from the address's state.",
    )
    # Where the platform is based: its default time zone when none is set.
    address_region = models.CharField("state", max_length=2, blank=True)
    address_postalcode = models.CharField("postal code", max_length=20, blank=True)
    # Hosts a hosted flow (application or payment session) may send the contractor back
    # to; the flows refuse a return URL on any other host.
    hosted_flow_allowed_redirect_hosts = models.JSONField(default=list, blank=True)
    # What a tech's own certificate is judged against when the upload names no
    # customer-of-record (coverage.uploads.requirements describes the shape); set
    # by support in the admin or by onboarding. None: no default requirement.
    default_insurance_requirement = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlatformQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        """The platform's time zone: the one set, else its address's, else UTC."""
        return (
            zone_named(self.time_zone)
            or zone_named(
                zone_name_for_address(self.address_region, self.address_postalcode)
            )
            or UTC_ZONE
        )


class User(AbstractUser):
    """A person who signs in to the portal, with exactly one role.

    Dispatchers belong to one platform; underwriters (insurer staff) and support
    see every platform. Role and platform live on the user itself so that every
    request resolves them with the single query that loads the user.
    """

    role = models.CharField(
        max_length=20, choices=Role.choices, default=Role.DISPATCHER
    )
    platform = models.ForeignKey(
        Platform, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    # The dispatcher's own zone (a dispatcher working from another state than the
    # platform's office); blank: the platform's.
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_zone],
        help_text="IANA name, e.g. America/Chicago. Blank: the platform's time zone.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(role=Role.DISPATCHER) | Q(platform__isnull=False),
                name="portal_user_dispatcher_has_platform",
                violation_error_message="A dispatcher belongs to a platform.",
            )
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The admin site admits staff only; support is the staff role.
        self.is_staff = self.role == Role.SUPPORT or self.is_superuser
        super().save(*args, **kwargs)

    @property
    def zone(self) -> ZoneInfo:
        """The zone this person reads times in: their own, else their platform's, else UTC."""
        own = zone_named(self.time_zone)
        if own is not None:
            return own
        return self.platform.zone if self.platform is not None else UTC_ZONE

    @property
    def is_dispatcher(self) -> bool:
        return self.role == Role.DISPATCHER

    @property
    def is_underwriter(self) -> bool:
        return self.role == Role.UNDERWRITER

    @property
    def is_support(self) -> bool:
        return self.role == Role.SUPPORT

    @property
    def sees_all_platforms(self) -> bool:
        return self.is_superuser or self.role in (Role.UNDERWRITER, Role.SUPPORT)

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        if (
            self.is_active
            and self.is_support
            and perm.split(".", 1)[0] in SUPPORT_APP_LABELS
        ):
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        if self.is_active and self.is_support and app_label in SUPPORT_APP_LABELS:
            return True
        return super().has_module_perms(app_label)


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def active(self) -> ApiKeyQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiKey(FastLoad):
    """A secret key for the JSON APIs, stored only as its SHA-256 digest.

    A platform key opens the contractor API (/api/v1) for one platform; a staff
    key (no platform) opens the policy-administration API for underwriters.
    """

    class Kind(models.TextChoices):
        PLATFORM = "platform", "Platform"
        STAFF = "staff", "Staff"

    class Mode(models.TextChoices):
        TEST = "test", "Test"
        LIVE = "live", "Live"

    public_id = PublicIdField(prefix="key")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    mode = models.CharField(max_length=4, choices=Mode.choices, default=Mode.TEST)
    platform = models.ForeignKey(
        Platform,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_keys",
    )
    # Enough of the key to recognise it in a list, never enough to use it.
    display_prefix = models.CharField(max_length=32)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="platform") & Q(platform__isnull=False))
                | (Q(kind="staff") & Q(platform__isnull=True)),
                name="portal_apikey_platform_iff_platform_kind",
                violation_error_message="A platform key names its platform; a staff key names none.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.display_prefix}…)"

    @staticmethod
    def digest_of(raw_key: str) -> str:
        # The keys carry 190+ bits of randomness, so a fast digest is enough: a slow
        # password hash would only add latency to every API call.
        return hashlib.sha256(raw_key.encode()).hexdigest()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def idempotency_scope(self) -> str:
        return (
            f"platform:{self.platform_id}" if self.platform_id else f"staff:{self.pk}"
        )


class IdempotencyRecord(FastLoad):
    """The first response to an idempotent POST, replayed for 24 hours."""

    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key"], name="portal_idempotency_scope_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} / {self.key}"


class WorkerHeartbeat(models.Model):
    """A background worker's last sign of life (``portal.workers``).

    Each ``db_worker`` process beats every few seconds, from a thread of its own so a
    long task does not silence it. A task left RUNNING by a worker whose beat stopped
    is re-queued by the others, and ``/healthz`` tells whether any worker is alive.
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    queues = models.CharField(max_length=255)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"
