"""Coinsurance agreements and their parties, towers and layers (seed 003).

The rule everything here protects: on one agreement, our share plus every party's
share is at most 100 percent. Each write that changes a share locks the
transaction and then the agreement row, and sums the shares under that lock, so
two parties added at the same moment cannot both squeeze under the limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum

from policies.models import (
    CoinsuranceAgreement,
    CoinsuranceLevel,
    CoinsuranceModel,
    CoinsuranceParty,
    CoinsuranceRole,
    Layer,
    PolicySection,
    PolicyTransaction,
    ProducerCode,
    Product,
    Tower,
)
from policies.services.common import (
    UNSET,
    Errors,
    Money,
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
SECTION_NOT_ON_JOB = "The job has no {code} section."
SECTION_ALREADY_HERE = "Section {code} is already associated with this {owner}."
SECTION_IN_OTHER_AGREEMENT = (
    "Section {code} is already associated with coinsurance agreement {number}."
)
SECTION_IN_OTHER_TOWER = "Section {code} is already associated with tower {number}."
SECTIONLESS_ON_CREATE = (
    "The job already has a tower or coinsurance agreement without a section; "
    "give this {owner} at least one section."
)
SECTIONLESS_ON_REMOVE = (
    "Removing section {code} would leave more than one tower or coinsurance "
    "agreement without a section."
)
UNKNOWN_PRODUCER_CODE = "No producer code {id}."
PARTY_ALREADY_ON_AGREEMENT = (
    "The producer code {code} is already a party to this coinsurance agreement."
)
LAYER_HAS_NO_AGREEMENT = (
    "Layer {number} has no coinsurance agreement; give it one (PATCH the layer with "
    "coinsuranceAgreement) before adding parties."
)
LAYER_EMPTY = "A layer's limit must be more than zero."
LAYER_CURRENCIES = "A layer's attachment and limit are in one currency."
LAYER_TOWER_CURRENCY = "The layers of a tower share one currency ({currency})."
LAYERS_OVERLAP = (
    "The layer from {bottom} to {top} overlaps layer {number} "
    "({other_bottom} to {other_top})."
)


@dataclass(frozen=True)
class AgreementTerms:
    """What a coinsurance agreement says, whatever it is attached to."""

    model: str
    our_role: str
    our_share: Decimal
    leaders_fee: Decimal | None = None
    policy_number_suffix: str = ""


def _require_coinsurance(product: Product) -> None:
    if not product.supports_coinsurance:
        raise ValidationError(COINSURANCE_NOT_SUPPORTED.format(product=product.name))


def _require_layers(product: Product) -> None:
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
        errors.code("ourRole", "CoinsuranceRole", our_role, CoinsuranceRole)
    if not isinstance(our_share, Unset):
        errors.percent("ourShare", "Our share", our_share)
    if not isinstance(leaders_fee, Unset):
        errors.percent("leadersFee", "The leader's fee", leaders_fee)
    if not isinstance(policy_number_suffix, Unset) and len(policy_number_suffix) > 8:
        errors.add("policyNumberSuffix", SUFFIX_TOO_LONG)


def _check_total(our_share: Decimal, party_shares: Decimal) -> None:
    total = our_share + party_shares
    if total > 100:
        raise ValidationError(
            {"coinsuranceShare": [SHARES_OVER_100.format(total=percent_text(total))]}
        )


def _party_total(
    agreement: CoinsuranceAgreement, *, excluding: int | None = None
) -> Decimal:
    parties = CoinsuranceParty.objects.filter(agreement=agreement)
    if excluding is not None:
        parties = parties.exclude(pk=excluding)
    return parties.aggregate(total=Sum("share"))["total"] or Decimal(0)


def _sectionless_count(txn: PolicyTransaction) -> int:
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


def _sections_for(
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
            errors.add("sectionType", SECTION_NOT_ON_JOB.format(code=code))
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
                "sectionType": [
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
            "sectionType": [
                SECTION_IN_OTHER_AGREEMENT.format(
                    code=section.section_type, number=other.number
                )
            ]
        }
    )


def _check_free_for_tower(section: PolicySection, tower: Tower | None) -> None:
    if section.tower_id is None:
        return
    if tower is not None and section.tower_id == tower.pk:
        raise ValidationError(
            {
                "sectionType": [
                    SECTION_ALREADY_HERE.format(
                        code=section.section_type, owner="tower"
                    )
                ]
            }
        )
    other = Tower.objects.only("number").get(pk=section.tower_id)
    raise ValidationError(
        {
            "sectionType": [
                SECTION_IN_OTHER_TOWER.format(
                    code=section.section_type, number=other.number
                )
            ]
        }
    )


# ---------------------------------------------------------------------------
# Agreements


def _new_agreement(
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
) -> CoinsuranceAgreement:
    """A section-level agreement (with ``section_types``) or a policy-level one (without)."""
    txn = lock_draft(txn)
    _require_coinsurance(txn.product)
    terms = AgreementTerms(
        model, our_role, our_share, leaders_fee, policy_number_suffix
    )
    sections = _sections_for(txn, section_types)
    for section in sections:
        _check_free_for_agreement(section, None)
    if not sections and _sectionless_count(txn) >= 1:
        raise ValidationError(
            SECTIONLESS_ON_CREATE.format(owner="coinsurance agreement")
        )
    agreement = _new_agreement(txn, terms)
    PolicySection.objects.filter(pk__in=[s.pk for s in sections]).update(
        coinsurance_agreement=agreement
    )
    return agreement


def _locked_agreement(
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
) -> CoinsuranceAgreement:
    """Change the terms given (a PATCH); a new share must keep the total within 100 %."""
    _, current = _locked_agreement(agreement)
    verify_checksum(checksum_supplied, checksum(current))
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
            _check_total(our_share, _party_total(current))
        except ValidationError as exc:
            raise ValidationError(
                {"ourShare": exc.message_dict["coinsuranceShare"]}
            ) from None
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
    return current


@transaction.atomic
def delete_coinsurance_agreement(
    *, agreement: CoinsuranceAgreement, checksum_supplied: str | None = None
) -> None:
    """Delete an agreement with its parties; its sections stay on the job, unattached."""
    _, current = _locked_agreement(agreement)
    verify_checksum(checksum_supplied, checksum(current))
    current.delete()


@transaction.atomic
def add_agreement_section(
    *, agreement: CoinsuranceAgreement, section_type: str
) -> PolicySection:
    """Associate one more of the job's sections with an agreement."""
    txn, current = _locked_agreement(agreement)
    (section,) = _sections_for(txn, [section_type])
    _check_free_for_agreement(section, current)
    section.coinsurance_agreement = current
    section.save(update_fields=["coinsurance_agreement"])
    return section


def _attached_section(
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
) -> None:
    """Take a section off its agreement, unless that leaves two things without a section."""
    txn, current_agreement = _locked_agreement(agreement)
    current = _attached_section(
        txn, section_type, coinsurance_agreement=current_agreement
    )
    verify_checksum(checksum_supplied, checksum(current))
    current.coinsurance_agreement = None
    current.save(update_fields=["coinsurance_agreement"])
    if _sectionless_count(txn) > 1:
        raise ValidationError(SECTIONLESS_ON_REMOVE.format(code=current.section_type))


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


# ---------------------------------------------------------------------------
# Parties


@transaction.atomic
def add_coinsurance_party(
    *,
    agreement: CoinsuranceAgreement,
    producer_code: ProducerCode | None,
    role: str,
    share: Decimal,
    producer_code_id: str = "",
) -> CoinsuranceParty:
    """Add a coinsurer (by producer code) to an agreement, within the 100 % total.

    ``producer_code`` is None when the caller named one that does not exist
    (``producer_code_id`` is then what they named).
    """
    txn, current = _locked_agreement(agreement)
    errors = Errors()
    if producer_code is None:
        errors.add("producerCode", UNKNOWN_PRODUCER_CODE.format(id=producer_code_id))
    errors.code("coinsuranceRole", "CoinsuranceRole", role, CoinsuranceRole)
    errors.percent("coinsuranceShare", "The party's share", share)
    errors.raise_if_any()
    assert producer_code is not None
    if CoinsuranceParty.objects.filter(
        agreement=current, producer_code=producer_code
    ).exists():
        raise ValidationError(
            {
                "producerCode": [
                    PARTY_ALREADY_ON_AGREEMENT.format(code=producer_code.code)
                ]
            }
        )
    _check_total(current.our_share + share, _party_total(current))
    return CoinsuranceParty.objects.create(
        transaction=txn,
        number=next_number(txn),
        agreement=current,
        producer_code=producer_code,
        role=role,
        share=share,
    )


@transaction.atomic
def update_coinsurance_party(
    *,
    party: CoinsuranceParty,
    checksum_supplied: str | None = None,
    role: str | Unset = UNSET,
    share: Decimal | Unset = UNSET,
) -> CoinsuranceParty:
    _, agreement = _locked_agreement(party.agreement)
    current = relock(party)
    verify_checksum(checksum_supplied, checksum(current))
    errors = Errors()
    if not isinstance(role, Unset):
        errors.code("coinsuranceRole", "CoinsuranceRole", role, CoinsuranceRole)
    if not isinstance(share, Unset):
        errors.percent("coinsuranceShare", "The party's share", share)
    errors.raise_if_any()
    if not isinstance(share, Unset):
        _check_total(
            agreement.our_share + share, _party_total(agreement, excluding=current.pk)
        )
        current.share = share
    if not isinstance(role, Unset):
        current.role = role
    current.save()
    return current


@transaction.atomic
def delete_coinsurance_party(
    *, party: CoinsuranceParty, checksum_supplied: str | None = None
) -> None:
    _locked_agreement(party.agreement)
    current = relock(party)
    verify_checksum(checksum_supplied, checksum(current))
    current.delete()


# ---------------------------------------------------------------------------
# Towers and layers


@transaction.atomic
def create_tower(*, txn: PolicyTransaction, section_types: Sequence[str] = ()) -> Tower:
    """A tower for the whole policy (no sections) or for some of its sections."""
    txn = lock_draft(txn)
    _require_layers(txn.product)
    sections = _sections_for(txn, section_types)
    for section in sections:
        _check_free_for_tower(section, None)
    if not sections and _sectionless_count(txn) >= 1:
        raise ValidationError(SECTIONLESS_ON_CREATE.format(owner="tower"))
    tower = Tower.objects.create(transaction=txn, number=next_number(txn))
    PolicySection.objects.filter(pk__in=[s.pk for s in sections]).update(tower=tower)
    return tower


@transaction.atomic
def delete_tower(*, tower: Tower, checksum_supplied: str | None = None) -> None:
    """Delete a tower with its layers (and their agreements); its sections stay."""
    lock_draft(tower.transaction_id)
    current = relock(tower)
    verify_checksum(checksum_supplied, checksum(current))
    current.delete()


@transaction.atomic
def add_tower_section(*, tower: Tower, section_type: str) -> PolicySection:
    txn = lock_draft(tower.transaction_id)
    (section,) = _sections_for(txn, [section_type])
    _check_free_for_tower(section, tower)
    section.tower = tower
    section.save(update_fields=["tower"])
    return section


@transaction.atomic
def remove_tower_section(
    *, tower: Tower, section_type: str, checksum_supplied: str | None = None
) -> None:
    """Take a section off its tower, unless that leaves two things without a section."""
    txn = lock_draft(tower.transaction_id)
    current = _attached_section(txn, section_type, tower=tower)
    verify_checksum(checksum_supplied, checksum(current))
    current.tower = None
    current.save(update_fields=["tower"])
    if _sectionless_count(txn) > 1:
        raise ValidationError(SECTIONLESS_ON_REMOVE.format(code=current.section_type))


def _check_layer(
    tower: Tower, attachment: Money, limit: Money, *, excluding: int | None = None
) -> None:
    errors = Errors()
    errors.money("attachment", "The attachment point", attachment)
    errors.money("limit", "The limit", limit)
    errors.raise_if_any()
    if limit.amount <= 0:
        raise ValidationError({"limit": [LAYER_EMPTY]})
    if attachment.currency != limit.currency:
        raise ValidationError({"limit": [LAYER_CURRENCIES]})
    others = Layer.objects.filter(tower=tower).exclude(pk=excluding)
    top = attachment.amount + limit.amount
    for other in others:
        if other.currency != attachment.currency:
            raise ValidationError(
                {"attachment": [LAYER_TOWER_CURRENCY.format(currency=other.currency)]}
            )
        if attachment.amount < other.top and other.attachment < top:
            raise ValidationError(
                {
                    "attachment": [
                        LAYERS_OVERLAP.format(
                            bottom=attachment.amount,
                            top=top,
                            number=other.number,
                            other_bottom=other.attachment,
                            other_top=other.top,
                        )
                    ]
                }
            )


@transaction.atomic
def create_layer(
    *,
    tower: Tower,
    attachment: Money,
    limit: Money,
    coinsurance: AgreementTerms | None = None,
) -> Layer:
    """A band of the tower's range; with ``coinsurance``, a layer-level agreement for it."""
    txn = lock_draft(tower.transaction_id)
    if coinsurance is not None:
        _require_coinsurance(txn.product)
    tower = relock(tower)
    _check_layer(tower, attachment, limit)
    layer = Layer.objects.create(
        transaction=txn,
        number=next_number(txn),
        tower=tower,
        attachment=attachment.amount,
        limit=limit.amount,
        currency=attachment.currency,
    )
    if coinsurance is not None:
        _new_agreement(txn, coinsurance, layer=layer)
    return layer


def layer_checksum(layer: Layer, agreement: CoinsuranceAgreement | None) -> str:
    """A layer resource includes its agreement's terms: both rows stamp it."""
    return checksum(layer, agreement) if agreement is not None else checksum(layer)


LAYER_WITHOUT_AGREEMENT = (
    "The layer has no coinsurance agreement to change; give model, ourRole and "
    "ourShare to create one."
)


@transaction.atomic
def update_layer(
    *,
    layer: Layer,
    checksum_supplied: str | None = None,
    attachment: Money | Unset = UNSET,
    limit: Money | Unset = UNSET,
    coinsurance: dict[str, object] | Unset = UNSET,
) -> Layer:
    """Move or resize a layer, and change (or create) its layer-level agreement.

    ``coinsurance`` holds the agreement terms to change, by their AgreementTerms
    names; a layer without an agreement gets one when model, our_role and
    our_share are all given.
    """
    txn = lock_draft(layer.transaction_id)
    current = relock(layer)
    agreement = (
        CoinsuranceAgreement.objects.select_for_update(of=("self",))
        .filter(layer=current)
        .first()
    )
    verify_checksum(checksum_supplied, layer_checksum(current, agreement))
    if not (isinstance(attachment, Unset) and isinstance(limit, Unset)):
        new_attachment = (
            Money(current.attachment, current.currency)
            if isinstance(attachment, Unset)
            else attachment
        )
        new_limit = (
            Money(current.limit, current.currency)
            if isinstance(limit, Unset)
            else limit
        )
        _check_layer(current.tower, new_attachment, new_limit, excluding=current.pk)
        current.attachment = new_attachment.amount
        current.limit = new_limit.amount
        current.currency = new_attachment.currency
        current.save()
    if not isinstance(coinsurance, Unset):
        _require_coinsurance(txn.product)
        if agreement is not None:
            update_coinsurance_agreement(agreement=agreement, **coinsurance)  # type: ignore[arg-type]
        elif {"model", "our_role", "our_share"} <= coinsurance.keys():
            _new_agreement(txn, AgreementTerms(**coinsurance), layer=current)  # type: ignore[arg-type]
        else:
            raise ValidationError({"coinsuranceAgreement": [LAYER_WITHOUT_AGREEMENT]})
    return current


@transaction.atomic
def delete_layer(*, layer: Layer, checksum_supplied: str | None = None) -> None:
    lock_draft(layer.transaction_id)
    current = relock(layer)
    agreement = CoinsuranceAgreement.objects.filter(layer=current).first()
    verify_checksum(checksum_supplied, layer_checksum(current, agreement))
    current.delete()
