"""Policy administration's models, a module per aggregate; every model and enum is re-exported.

- ``products``: Product, SectionType
- ``policies``: Policy, PolicyQuerySet, PolicyStatus, the GL limit defaults
- ``transactions``: PolicyTransaction, TransactionKind, TransactionStatus
- ``contents``: NumberedChild, PolicyLocation, Contact, ContactRole,
  PolicyContactRole, LocationNamedInsured, PolicySection, PriorPolicy
- ``towers``: Tower, Layer
- ``coinsurance``: CoinsuranceAgreement, CoinsuranceParty, Organization,
  ProducerCode and the coinsurance typelists
- ``audit``: AuditEntry, AuditAction, AuditVia
- ``accounts``: the insured account (the contractor side's model) as policies sees it

The insured account and its category code live on the contractor side and are
named by string foreign keys only: policies imports nothing from coverage.
"""

from .audit import AuditAction, AuditEntry, AuditVia
from .coinsurance import (
    CoinsuranceAgreement,
    CoinsuranceLevel,
    CoinsuranceModel,
    CoinsuranceParty,
    CoinsuranceRole,
    Organization,
    ProducerCode,
)

# Migration 0003 names new_prior_policy_id by this path (policies.models).
from .contents import (
    Contact,
    ContactRole,
    LocationNamedInsured,
    NumberedChild,
    PolicyContactRole,
    PolicyLocation,
    PolicySection,
    PriorPolicy,
    new_prior_policy_id,
)
from .policies import (
    GL_AGGREGATE_LIMIT_DEFAULT,
    GL_OCCURRENCE_LIMIT_DEFAULT,
    Policy,
    PolicyQuerySet,
    PolicyStatus,
)
from .products import Product, SectionType
from .towers import Layer, Tower
from .transactions import PolicyTransaction, TransactionKind, TransactionStatus

__all__ = [
    "GL_AGGREGATE_LIMIT_DEFAULT",
    "GL_OCCURRENCE_LIMIT_DEFAULT",
    "AuditAction",
    "AuditEntry",
    "AuditVia",
    "CoinsuranceAgreement",
    "CoinsuranceLevel",
    "CoinsuranceModel",
    "CoinsuranceParty",
    "CoinsuranceRole",
    "Contact",
    "ContactRole",
    "Layer",
    "LocationNamedInsured",
    "NumberedChild",
    "Organization",
    "Policy",
    "PolicyContactRole",
    "PolicyLocation",
    "PolicyQuerySet",
    "PolicySection",
    "PolicyStatus",
    "PolicyTransaction",
    "PriorPolicy",
    "ProducerCode",
    "Product",
    "SectionType",
    "Tower",
    "TransactionKind",
    "TransactionStatus",
    "new_prior_policy_id",
]
