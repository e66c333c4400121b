"""Coinsurance agreements (seed 003): terms, sections, levels and the 100 percent rule;
their parties are in ``coinsurance_parties``, towers and layers in ``towers``.

The rule everything here protects: on one agreement, our share plus every party's
share is at most 100 percent. Each write that changes a share locks the
transaction and then the agreement row, and sums the shares under that lock, so
two parties added at the same moment cannot both squeeze under the limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum

from policies.models import (
    AuditAction,
    CoinsuranceAgreement,
    CoinsuranceLevel,
    CoinsuranceModel,
    CoinsuranceParty,
    CoinsuranceRole,
    Layer,
    PolicySection,
    PolicyTransaction,
    Product,
    Tower,
)
from policies.services.audit import Actor, delete_recorded, record_row, snapshot
from policies.services.drafts import (
    UNSET,
    Errors,
    Unset,
    checksum,
    lock_draft,
    next_number,
    percent_text,
    relock,
    verify_checksum,
)

COINSURANCE_NOT_SUPPORTED = "The product {product} does not support coinsurance."
LAYERS_NOT_SUPPORTED = "The product {product} does not support towers and layers."
SHARES_OVER_100 = (
    "Our share and the shares of the parties cannot exceed 100 percent; "
    "this would make {total} percent."
)
SUFFIX_TOO_LONG = "The policy number suffix is at most 8 characters."
SECTION_NOT_ON_TRANSACTION = "The job has no {code} section."
SECTION_ALREADY_HERE = "Section {code} is already associated with this {owner}."
SECTION_IN_OTHER_AGREEMENT = (
    "Section {code} is already associated with coinsurance agreement {number}."
)
SECTIONLESS_ON_CREATE = (
    "The job already has a tower or coinsurance agreement without a section; "
    "give this {owner} at least one section."
)
SECTIONLESS_ON_REMOVE = (
    "Removing section {code} would leave more than one tower or coinsurance "
    "agreement without a section."
)


@dataclass(frozen=True)
class AgreementTerms:
    """What a coinsurance agreement says, whatever it is attached to."""

    model: str
    our_role: str
    our_share: Decimal
    leaders_fee: Decimal | None = None
    policy_number_suffix: str = ""


def require_coinsurance(product: Product) -> None:
    if not product.supports_coinsurance:
        raise ValidationError(COINSURANCE_NOT_SUPPORTED.format(product=product.name))


def require_layers(product: Product) -> None:
    if not product.supports_layers:
        raise ValidationError(LAYERS_NOT_SUPPORTED.format(product=product.name))


def _check_terms(
    errors: Errors,
    *,
    model: str | Unset = UNSET,
    our_role: str | Unset = UNSET,
    our_share: Decimal | Unset = UNSET,
    leaders_fee: Decimal | None | Unset = UNSET,
    policy_number_suffix: str | Unset = UNSET,
) -> None:
    if not isinstance(model, Unset):
        errors.code("model", "CoinsuranceModel", model, CoinsuranceModel)
    if not isinstance(our_role, Unset):
        errors.code("our_role", "CoinsuranceRole", our_role, CoinsuranceRole)
    if not isinstance(our_share, Unset):
        errors.percent("our_share", "Our share", our_share)
    if not isinstance(leaders_fee, Unset):
        errors.percent("leaders_fee", "The leader's fee", leaders_fee)
    if not isinstance(policy_number_suffix, Unset) and len(policy_number_suffix) > 8:
        errors.add("policy_number_suffix", SUFFIX_TOO_LONG)


def share_total(our_share: Decimal, party_shares: Iterable[Decimal]) -> Decimal:
    """Our share plus the parties' shares: what must stay within 100 percent."""
    return our_share + sum(party_shares, Decimal(0))


def share_refusal(total: Decimal) -> str | None:
    """The refusal a total would earn, or None within 100 percent.

    The writes below refuse with it; the portal's share meter shows it while the
    underwriter types, so both judge a total the same way.
    """
    if total > 100:
        return SHARES_OVER_100.format(total=percent_text(total))
    return None


def check_share_total(our_share: Decimal, party_shares: Decimal) -> None:
    refusal = share_refusal(share_total(our_share, [party_shares]))
    if refusal is not None:
        raise ValidationError({"share": [refusal]})


def party_share_total(
    agreement: CoinsuranceAgreement, *, excluding: int | None = None
) -> Decimal:
    parties = CoinsuranceParty.objects.filter(agreement=agreement)
    if excluding is not None:
        parties = parties.exclude(pk=excluding)
    return parties.aggregate(total=Sum("share"))["total"] or Decimal(0)


def sectionless_count(txn: PolicyTransaction) -> int:
    """Towers and policy-/section-level agreements with no section.

    A layer's agreement never has sections of its own (its tower does): not counted.
    """
    towers = (
        Tower.objects.filter(transaction=txn)
        .annotate(n=Count("sections"))
        .filter(n=0)
        .count()
    )
    agreements = (
        CoinsuranceAgreement.objects.filter(transaction=txn, layer__isnull=True)
        .annotate(n=Count("sections"))
        .filter(n=0)
        .count()
    )
    return towers + agreements


def sections_for(
    txn: PolicyTransaction, section_types: Sequence[str]
) -> list[PolicySection]:
    codes = list(dict.fromkeys(section_types))
    found = {
        s.section_type: s
        for s in PolicySection.objects.select_for_update(of=("self",)).filter(
            transaction=txn, section_type__in=codes
        )
    }
    errors = Errors()
    for code in codes:
        if code not in found:
            errors.add("section_type", SECTION_NOT_ON_TRANSACTION.format(code=code))
    errors.raise_if_any()
    return [found[c] for c in codes]


def _check_free_for_agreement(
    section: PolicySection, agreement: CoinsuranceAgreement | None
) -> None:
    if section.coinsurance_agreement_id is None:
        return
    if agreement is not None and section.coinsurance_agreement_id == agreement.pk:
        raise ValidationError(
            {
                "section_type": [
                    SECTION_ALREADY_HERE.format(
                        code=section.section_type, owner="coinsurance agreement"
                    )
                ]
            }
        )
    other = CoinsuranceAgreement.objects.only("number").get(
        pk=section.coinsurance_agreement_id
    )
    raise ValidationError(
        {
            "section_type": [
                SECTION_IN_OTHER_AGREEMENT.format(
                    code=section.section_type, number=other.number
                )
            ]
        }
    )


# ---------------------------------------------------------------------------
# Agreements


def new_agreement(
    txn: PolicyTransaction, terms: AgreementTerms, layer: Layer | None = None
) -> CoinsuranceAgreement:
    errors = Errors()
    _check_terms(
        errors,
        model=terms.model,
        our_role=terms.our_role,
        our_share=terms.our_share,
        leaders_fee=terms.leaders_fee,
        policy_number_suffix=terms.policy_number_suffix,
    )
    errors.raise_if_any()
    return CoinsuranceAgreement.objects.create(
        transaction=txn,
        number=next_number(txn),
        layer=layer,
        model=terms.model,
        our_role=terms.our_role,
        our_share=terms.our_share,
        leaders_fee=terms.leaders_fee,
        policy_number_suffix=terms.policy_number_suffix,
    )


@transaction.atomic
def create_coinsurance_agreement(
    *,
    txn: PolicyTransaction,
    model: str,
    our_role: str,
    our_share: Decimal,
    leaders_fee: Decimal | None = None,
    policy_number_suffix: str = "",
    section_types: Sequence[str] = (),
    by: Actor = None,
) -> CoinsuranceAgreement:
    """A section-level agreement (with ``section_types``) or a policy-level one (without)."""
    txn = lock_draft(txn)
    require_coinsurance(txn.product)
    terms = AgreementTerms(
        model, our_role, our_share, leaders_fee, policy_number_suffix
    )
    sections = sections_for(txn, section_types)
    for section in sections:
        _check_free_for_agreement(section, None)
    if not sections and sectionless_count(txn) >= 1:
        raise ValidationError(
            SECTIONLESS_ON_CREATE.format(owner="coinsurance agreement")
        )
    agreement = new_agreement(txn, terms)
    PolicySection.objects.filter(pk__in=[s.pk for s in sections]).update(
        coinsurance_agreement=agreement
    )
    record_row(by=by, action=AuditAction.CREATED, row=agreement, txn=txn)
    for section in sections:
        before = snapshot(section)
        section.coinsurance_agreement = agreement
        record_row(
            by=by, action=AuditAction.ASSOCIATED, row=section, txn=txn, before=before
        )
    return agreement


def locked_agreement(
    agreement: CoinsuranceAgreement,
) -> tuple[PolicyTransaction, CoinsuranceAgreement]:
    # Lock order everywhere: the transaction, then the agreement row.
    txn = lock_draft(agreement.transaction_id)
    return txn, relock(agreement)


@transaction.atomic
def update_coinsurance_agreement(
    *,
    agreement: CoinsuranceAgreement,
    checksum_supplied: str | None = None,
    model: str | Unset = UNSET,
    our_role: str | Unset = UNSET,
    our_share: Decimal | Unset = UNSET,
    leaders_fee: Decimal | None | Unset = UNSET,
    policy_number_suffix: str | Unset = UNSET,
    by: Actor = None,
) -> CoinsuranceAgreement:
    """Change the terms given (a PATCH); a new share must keep the total within 100 %."""
    txn, current = locked_agreement(agreement)
    verify_checksum(checksum_supplied, checksum(current))
    before = snapshot(current)
    errors = Errors()
    _check_terms(
        errors,
        model=model,
        our_role=our_role,
        our_share=our_share,
        leaders_fee=leaders_fee,
        policy_number_suffix=policy_number_suffix,
    )
    errors.raise_if_any()
    if not isinstance(our_share, Unset):
        try:
            check_share_total(our_share, party_share_total(current))
        except ValidationError as exc:
            raise ValidationError({"our_share": exc.message_dict["share"]}) from None
    for name, value in (
        ("model", model),
        ("our_role", our_role),
        ("our_share", our_share),
        ("leaders_fee", leaders_fee),
        ("policy_number_suffix", policy_number_suffix),
    ):
        if value is not UNSET:
            setattr(current, name, value)
    current.save()
    record_row(by=by, action=AuditAction.CHANGED, row=current, txn=txn, before=before)
    return current


@transaction.atomic
def delete_coinsurance_agreement(
    *,
    agreement: CoinsuranceAgreement,
    checksum_supplied: str | None = None,
    by: Actor = None,
) -> None:
    """Delete an agreement with its parties; its sections stay on the job, unattached."""
    txn, current = locked_agreement(agreement)
    verify_checksum(checksum_supplied, checksum(current))
    delete_recorded(by=by, row=current, txn=txn)


@transaction.atomic
def add_agreement_section(
    *, agreement: CoinsuranceAgreement, section_type: str, by: Actor = None
) -> PolicySection:
    """Associate one more of the job's sections with an agreement."""
    txn, current = locked_agreement(agreement)
    (section,) = sections_for(txn, [section_type])
    _check_free_for_agreement(section, current)
    before = snapshot(section)
    section.coinsurance_agreement = current
    section.save(update_fields=["coinsurance_agreement"])
    record_row(
        by=by, action=AuditAction.ASSOCIATED, row=section, txn=txn, before=before
    )
    return section


def attached_section(
    txn: PolicyTransaction, section_type: str, **owner: object
) -> PolicySection:
    return PolicySection.objects.select_for_update(of=("self",)).get(
        transaction=txn, section_type=section_type, **owner
    )


@transaction.atomic
def remove_agreement_section(
    *,
    agreement: CoinsuranceAgreement,
    section_type: str,
    checksum_supplied: str | None = None,
    by: Actor = None,
) -> None:
    """Take a section off its agreement, unless that leaves two things without a section."""
    txn, current_agreement = locked_agreement(agreement)
    current = attached_section(
        txn, section_type, coinsurance_agreement=current_agreement
    )
    verify_checksum(checksum_supplied, checksum(current))
    before = snapshot(current)
    current.coinsurance_agreement = None
    current.save(update_fields=["coinsurance_agreement"])
    if sectionless_count(txn) > 1:
        raise ValidationError(SECTIONLESS_ON_REMOVE.format(code=current.section_type))
    record_row(
        by=by, action=AuditAction.DISSOCIATED, row=current, txn=txn, before=before
    )


def agreement_level(
    agreement: CoinsuranceAgreement, sections: Sequence[PolicySection]
) -> str:
    """Policy-, section- or layer-level, from what the agreement is attached to.

    A section that belongs to a tower makes its agreement layer-level (seed 003).
    """
    if agreement.layer_id is not None or any(s.tower_id for s in sections):
        return CoinsuranceLevel.LAYER
    if sections:
        return CoinsuranceLevel.SECTION
    return CoinsuranceLevel.POLICY


def covering_agreements(*, section: PolicySection) -> list[CoinsuranceAgreement]:
    """The agreements that cover a section.

    The agreement that lists it; otherwise the agreements of its tower's layers;
    otherwise the policy-level agreement, which covers every coverage no other
    agreement lists.
    """
    if section.coinsurance_agreement_id is not None:
        return [CoinsuranceAgreement.objects.get(pk=section.coinsurance_agreement_id)]
    if section.tower_id is not None:
        layered = list(
            CoinsuranceAgreement.objects.filter(layer__tower_id=section.tower_id)
            .select_related("layer")
            .order_by("layer__attachment")
        )
        if layered:
            return layered
    return list(policy_level_agreements(section.transaction_id))


def policy_level_agreements(txn_id: int) -> list[CoinsuranceAgreement]:
    return list(
        CoinsuranceAgreement.objects.filter(transaction_id=txn_id, layer__isnull=True)
        .annotate(n=Count("sections"))
        .filter(n=0)
        .order_by("number")
    )
