"""E-mail notices to contractors, written in the transaction that causes them (an outbox).

A notice is rendered when it is queued, so what is sent is what the change said;
a task sends it once the transaction commits, and retries with back-off on an SMTP
failure (``coverage.notices``).
"""

from __future__ import annotations

from django.db import models

from portal.fast_load import FastLoad
from portal.models import Platform


class Notice(FastLoad):
    class Kind(models.TextChoices):
        CHARGE_NOTICE = "charge_notice", "Charge notice"
        CARD_DECLINED = "card_declined", "Card declined"
        OPT_IN_LINK = "opt_in_link", "Opt-in link"

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    text = models.TextField()
    html = models.TextField(blank=True)
    created_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["sent_at", "next_attempt_at"], name="coverage_notice_due_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to}"
