"""`manage.py generate_scale_data --assignments N`: a big, consistent data set, fast.

A new platform gets six template dispatches made through the services; the bulk load
(``coverage.scaledata.load``) clones them into N dispatches over three years with two
ledger charges and two certificates each, in one PostgreSQL transaction, with the big
tables' indexes and constraints built after the rows and ANALYZE at the end. Prints
what it wrote, the time each step took, and the platform's API key last.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from coverage.scaledata.load import DAYS, load, plan_for
from coverage.scaledata.templates import make_templates
from portal.api_keys import issue_api_key
from portal.models import ApiKey, Platform


class Command(BaseCommand):
    help = (
        "Load N dispatches over three years (two ledger lines and two certificates each) "
        "for a new platform, set-based; PostgreSQL only. The API key is the last line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--assignments", type=int, required=True, metavar="N")
        parser.add_argument(
            "--days",
            type=int,
            default=DAYS,
            help=f"spread the dispatches over this many days ending a week ahead "
            f"(default {DAYS}, three years; at most that)",
        )
        parser.add_argument("--platform", default="Scale test platform", metavar="NAME")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("generate_scale_data needs PostgreSQL.")
        count, name = options["assignments"], options["platform"].strip()
        if count < 1:
            raise CommandError("--assignments must be at least 1.")
        if not 1 <= options["days"] <= DAYS:
            raise CommandError(f"--days must be from 1 to {DAYS}.")
        if Platform.objects.filter(name=name).exists():
            raise CommandError(
                f"A platform named {name!r} exists; pass another --platform."
            )
        started = time.monotonic()
        with transaction.atomic():
            platform, templates = make_templates(name=name)
            _, raw = issue_api_key(
                kind=ApiKey.Kind.PLATFORM,
                name=f"{name} key",
                platform=platform,
                mode=ApiKey.Mode.TEST,
            )
        plan = plan_for(
            assignments=count,
            templates=len(templates),
            today=timezone.now().date(),
            days=options["days"],
        )
        self.stdout.write(
            f"Loading {plan.assignments:,} dispatches for {plan.contractors:,} techs,"
            f" {plan.jobs:,} jobs and {plan.customers:,} customers from {plan.start}…"
        )
        written = load(
            platform=platform, templates=templates, plan=plan, say=self.stdout.write
        )
        for table, rows in written.items():
            self.stdout.write(f"{table}: {rows:,} rows")
        self.stdout.write(f"Loaded in {time.monotonic() - started:.0f} s.")
        self.stdout.write(f"Platform {platform.public_id}; its API key is shown once:")
        self.stdout.write(raw)
