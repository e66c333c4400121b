"""The audit history's hash chain: one chain per audited record (``portal.hash_chains``).

A record's entries are chained by ``(object_type, object_id)``. Writers of one record
mostly hold its row lock already, but not always (a record's creation, the portal's
records), so the trigger takes a transaction advisory lock on that chain alone: two
writes of different records never wait for each other. Only immutable columns are
hashed: the actor's user and key, the transaction and the policy are foreign keys that
are set to NULL when those rows go (and ``policy`` is linked after binding), so the
actor is hashed as its label, as it was shown when the change was made.
"""

from __future__ import annotations

from portal.hash_chains import ChainSpec

# pg_advisory_xact_lock(int4, int4)'s first key: "audi". The two-key form never meets
# the one-bigint keys used elsewhere (coverage.rating.book).
AUDIT_LOCK_SPACE = 0x61756469

AUDIT_CHAIN = ChainSpec(
    name="audit",
    table="policies_auditentry",
    chain_columns=("object_type", "object_id"),
    content=(
        ("id", "int"),
        ("object_type", "text"),
        ("object_id", "text"),
        ("chain_seq", "int"),
        ("created_at", "time"),
        ("actor_label", "text"),
        ("via", "text"),
        ("action", "text"),
        ("object_label", "text"),
        ("changes", "json"),
    ),
    lock=(
        f"PERFORM pg_advisory_xact_lock({AUDIT_LOCK_SPACE}, "
        "hashtext(NEW.object_type || chr(31) || NEW.object_id));"
    ),
)
