"""Revoke the certificates of policies whose cancellation has taken effect.

A cancellation dated ahead leaves its policy's certificates in force until its
effective moment; a task scheduled for that moment revokes them
(``coverage.certificates.cancellations``). This is the sweep behind the task: run it
from cron (every few minutes). Any number may run at once.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from coverage.certificates.cancellations import revoke_due_cancellations


class Command(BaseCommand):
    help = "Revoke certificates of policies whose cancellation is now effective."

    def handle(self, *args: Any, **options: Any) -> None:
        count = revoke_due_cancellations()
        self.stdout.write(f"Revoked {count} certificate(s).")
