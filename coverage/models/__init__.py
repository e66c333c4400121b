"""The contractor side's records, one module per area; import them from here.

Every platform-owned row is reached through ``for_platform`` / ``visible_to`` so that one
platform never sees another's data.

The id and path helpers below are referred to by the migrations as
``coverage.models.<name>``: they stay defined in this module, before the model modules
(which import them) are loaded.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from policies.lines import CoverageType

if TYPE_CHECKING:
    from coverage.models.certificates import Certificate

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


def coverage_line_choices() -> list[tuple[str, str]]:
    # Migrations refer to this function by name: keep the name.
    return CoverageType.choices


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


# The model modules import the helpers above, so they come after them.
from coverage.models.base import Addressed, TenantQuerySet  # noqa: E402
from coverage.models.certificates import Certificate  # noqa: E402, F811
from coverage.models.checkpoints import ChainCheckpoint, ChainHead  # noqa: E402
from coverage.models.dispatch import (  # noqa: E402
    COVERED,
    ApplicationSession,
    Assignment,
    AssignmentQuerySet,
    Quote,
    WorkJob,
)
from coverage.models.events import (  # noqa: E402
    Delivery,
    DeliveryAttempt,
    DeliveryQuerySet,
    Event,
    WebhookEndpoint,
)
from coverage.models.notices import Notice  # noqa: E402
from coverage.models.parties import (  # noqa: E402
    CategoryCode,
    Contractor,
    ContractorQuerySet,
    Entity,
    contractor_named,
)
from coverage.models.payments import (  # noqa: E402
    BillingSettings,
    CardOnFile,
    Charge,
    CollectionEntry,
    PaymentSession,
    Refund,
    SandboxCharge,
)
from coverage.models.premium import (  # noqa: E402
    LEDGER_APPEND_ONLY,
    Invoice,
    LedgerEntry,
    LedgerIsAppendOnly,
    LedgerQuerySet,
)
from coverage.models.premium_days import (  # noqa: E402
    ClosedPremiumDay,
    PremiumDay,
    PremiumMonth,
)
from coverage.models.rates import ClassCode, ClassMapping, Rate  # noqa: E402
from coverage.models.uploads import ReviewResult, UploadedCertificate  # noqa: E402

__all__ = [
    "contractor_named",
    "COVERED",
    "CERTIFICATE_NUMBER_PREFIX",
    "CERTIFICATE_NUMBER_RANDOM_LENGTH",
    "CROCKFORD32",
    "LEDGER_APPEND_ONLY",
    "Addressed",
    "ApplicationSession",
    "AssignmentQuerySet",
    "Assignment",
    "BillingSettings",
    "CardOnFile",
    "Charge",
    "CollectionEntry",
    "PaymentSession",
    "Refund",
    "SandboxCharge",
    "CategoryCode",
    "Certificate",
    "ChainCheckpoint",
    "ChainHead",
    "ClassCode",
    "ClosedPremiumDay",
    "ClassMapping",
    "Contractor",
    "ContractorQuerySet",
    "Delivery",
    "DeliveryAttempt",
    "DeliveryQuerySet",
    "Entity",
    "Event",
    "Invoice",
    "LedgerEntry",
    "LedgerIsAppendOnly",
    "LedgerQuerySet",
    "Notice",
    "PremiumDay",
    "PremiumMonth",
    "Quote",
    "Rate",
    "ReviewResult",
    "TenantQuerySet",
    "UploadedCertificate",
    "WebhookEndpoint",
    "WorkJob",
    "certificate_upload_to",
    "coverage_line_choices",
    "new_certificate_number",
    "new_session_id",
    "new_session_token",
    "new_ulid",
]
