"""Webhooks and events: platforms' endpoints, the events a change announces, signed
deliveries of them, retries.

Modules: ``events`` (``emit``, called by every write that announces a change),
``payloads`` (the event types and an event's JSON), ``signing`` (the signature scheme and
its verifier), ``endpoints`` (create, change, delete an endpoint), ``delivery`` (scheduling,
attempts, retries; the ``deliver`` task). The arrows run one way: events → delivery →
signing / payloads; endpoints → signing / payloads.
"""
