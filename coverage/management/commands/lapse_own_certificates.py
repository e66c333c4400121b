"""Re-decide the live dispatches whose tech's own certificate no longer covers their whole
window (run daily from cron; see coverage.services.own_lapses)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from coverage.services.own_lapses import redecide_lapsed


class Command(BaseCommand):
    help = "Re-decide dispatches relying on a tech's own certificate that has lapsed."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = redecide_lapsed(now=timezone.now())
        for assignment in changed:
            self.stdout.write(
                f"{assignment.public_id}: {assignment.eligibility_message}"
            )
        self.stdout.write(f"{len(changed)} dispatch(es) re-decided.")
