"""Towers and their layers (seed 003): a tower is a range of risk in financial limits,
for the whole policy or some of its sections, split into layers; a layer may carry
its own (layer-level) coinsurance agreement."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from policies.models import (
    AuditAction,
    CoinsuranceAgreement,
    Layer,
    PolicySection,
    PolicyTransaction,
    Tower,
)
from policies.services.audit import Actor, delete_recorded, record_row, snapshot
from policies.services.coinsurance import (
    SECTION_ALREADY_HERE,
    SECTIONLESS_ON_CREATE,
    SECTIONLESS_ON_REMOVE,
    AgreementTerms,
    attached_section,
    new_agreement,
    require_coinsurance,
    require_layers,
    sectionless_count,
    sections_for,
    update_coinsurance_agreement,
)
from policies.services.drafts import (
    UNSET,
    Errors,
    Money,
    Unset,
    checksum,
    lock_draft,
    next_number,
    relock,
    verify_checksum,
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
SECTION_IN_OTHER_TOWER = "Section {code} is already associated with tower {number}."


def _check_free_for_tower(section: PolicySection, tower: Tower | None) -> None:
    if section.tower_id is None:
        return
    if tower is not None and section.tower_id == tower.pk:
        raise ValidationError(
            {
                "section_type": [
                    SECTION_ALREADY_HERE.format(
                        code=section.section_type, owner="tower"
                    )
                ]
            }
        )
    other = Tower.objects.only("number").get(pk=section.tower_id)
    raise ValidationError(
        {
            "section_type": [
                SECTION_IN_OTHER_TOWER.format(
                    code=section.section_type, number=other.number
                )
            ]
        }
    )


# ---------------------------------------------------------------------------
# Towers and layers


@transaction.atomic
def create_tower(
    *, txn: PolicyTransaction, section_types: Sequence[str] = (), by: Actor = None
) -> Tower:
    """A tower for the whole policy (no sections) or for some of its sections."""
    txn = lock_draft(txn)
    require_layers(txn.product)
    sections = sections_for(txn, section_types)
    for section in sections:
        _check_free_for_tower(section, None)
    if not sections and sectionless_count(txn) >= 1:
        raise ValidationError(SECTIONLESS_ON_CREATE.format(owner="tower"))
    tower = Tower.objects.create(transaction=txn, number=next_number(txn))
    PolicySection.objects.filter(pk__in=[s.pk for s in sections]).update(tower=tower)
    record_row(by=by, action=AuditAction.CREATED, row=tower, txn=txn)
    for section in sections:
        before = snapshot(section)
        section.tower = tower
        record_row(
            by=by, action=AuditAction.ASSOCIATED, row=section, txn=txn, before=before
        )
    return tower


@transaction.atomic
def delete_tower(
    *, tower: Tower, checksum_supplied: str | None = None, by: Actor = None
) -> None:
    """Delete a tower with its layers (and their agreements); its sections stay."""
    txn = lock_draft(tower.transaction_id)
    current = relock(tower)
    verify_checksum(checksum_supplied, checksum(current))
    delete_recorded(by=by, row=current, txn=txn)


@transaction.atomic
def add_tower_section(
    *, tower: Tower, section_type: str, by: Actor = None
) -> PolicySection:
    txn = lock_draft(tower.transaction_id)
    (section,) = sections_for(txn, [section_type])
    _check_free_for_tower(section, tower)
    before = snapshot(section)
    section.tower = tower
    section.save(update_fields=["tower"])
    record_row(
        by=by, action=AuditAction.ASSOCIATED, row=section, txn=txn, before=before
    )
    return section


@transaction.atomic
def remove_tower_section(
    *,
    tower: Tower,
    section_type: str,
    checksum_supplied: str | None = None,
    by: Actor = None,
) -> None:
    """Take a section off its tower, unless that leaves two things without a section."""
    txn = lock_draft(tower.transaction_id)
    current = attached_section(txn, section_type, tower=tower)
    verify_checksum(checksum_supplied, checksum(current))
    before = snapshot(current)
    current.tower = None
    current.save(update_fields=["tower"])
    if sectionless_count(txn) > 1:
        raise ValidationError(SECTIONLESS_ON_REMOVE.format(code=current.section_type))
    record_row(
        by=by, action=AuditAction.DISSOCIATED, row=current, txn=txn, before=before
    )


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
    others = Layer.objects.filter(tower=tower)
    if excluding is not None:
        others = others.exclude(pk=excluding)
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
    by: Actor = None,
) -> Layer:
    """A band of the tower's range; with ``coinsurance``, a layer-level agreement for it."""
    txn = lock_draft(tower.transaction_id)
    if coinsurance is not None:
        require_coinsurance(txn.product)
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
    record_row(by=by, action=AuditAction.CREATED, row=layer, txn=txn)
    if coinsurance is not None:
        agreement = new_agreement(txn, coinsurance, layer=layer)
        record_row(by=by, action=AuditAction.CREATED, row=agreement, txn=txn)
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
    by: Actor = None,
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
    before = snapshot(current)
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
        record_row(
            by=by, action=AuditAction.CHANGED, row=current, txn=txn, before=before
        )
    if not isinstance(coinsurance, Unset):
        require_coinsurance(txn.product)
        if agreement is not None:
            update_coinsurance_agreement(agreement=agreement, by=by, **coinsurance)  # type: ignore[arg-type]
        elif {"model", "our_role", "our_share"} <= coinsurance.keys():
            created = new_agreement(txn, AgreementTerms(**coinsurance), layer=current)  # type: ignore[arg-type]
            record_row(by=by, action=AuditAction.CREATED, row=created, txn=txn)
        else:
            raise ValidationError({"coinsurance_agreement": [LAYER_WITHOUT_AGREEMENT]})
    return current


@transaction.atomic
def delete_layer(
    *, layer: Layer, checksum_supplied: str | None = None, by: Actor = None
) -> None:
    txn = lock_draft(layer.transaction_id)
    current = relock(layer)
    agreement = CoinsuranceAgreement.objects.filter(layer=current).first()
    verify_checksum(checksum_supplied, layer_checksum(current, agreement))
    delete_recorded(by=by, row=current, txn=txn)
