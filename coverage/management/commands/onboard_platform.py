"""`manage.py onboard_platform NAME …`: a platform ready to dispatch, in one step.

Creates the platform (or updates it) through ``coverage.services.onboarding``; a new
platform's first API key is printed as the last line, as ``create_api_key`` prints it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from coverage.services.onboarding import ALL_TRADES, Onboarding, onboard_platform
from portal.api_keys import issue_api_key
from portal.models import ApiKey


class Command(BaseCommand):
    help = (
        "Create a platform, or update the one of that name: approve its trades, set its "
        "time zone, hosted-flow redirect hosts and default insurance requirement. A new "
        "platform's first API key is printed as the last line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", metavar="NAME")
        parser.add_argument(
            "--trades",
            nargs="+",
            metavar="TRADE",
            help=f"'{ALL_TRADES}', or job category names / jc_ codes to approve "
            "(added to those already approved; none is withdrawn)",
        )
        parser.add_argument("--time-zone", metavar="TZ", help="e.g. America/New_York")
        parser.add_argument(
            "--redirect-host",
            action="append",
            metavar="HOST",
            help="a host hosted flows may return to (repeatable; replaces the list)",
        )
        parser.add_argument(
            "--default-requirement",
            metavar="LINE,…",
            help="coverage types a tech's certificate must show when the customer "
            "names none, e.g. general,workers-comp ('' clears it)",
        )
        parser.add_argument(
            "--live", action="store_true", help="issue a live key (default: test)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        requirement = options["default_requirement"]
        try:
            # One transaction: a platform is never left created without its first key.
            with transaction.atomic():
                result, raw = self._onboard(options, requirement)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        platform = result.platform
        verb = "Created" if result.created else "Updated"
        self.stdout.write(f"{verb} platform {platform.name} ({platform.public_id}).")
        for category in result.approved:
            self.stdout.write(f"Approved {category.name} ({category.public_id}).")
        if platform.time_zone:
            self.stdout.write(f"Time zone: {platform.time_zone}.")
        if platform.hosted_flow_allowed_redirect_hosts:
            hosts = ", ".join(platform.hosted_flow_allowed_redirect_hosts)
            self.stdout.write(f"Hosted flows may return to: {hosts}.")
        if platform.default_insurance_requirement:
            lines = ", ".join(
                platform.default_insurance_requirement.get("required_coverage", [])
            )
            self.stdout.write(f"Default insurance requirement: {lines}.")
        if raw is not None:
            self.stdout.write("Issued the platform's first API key. It is shown once:")
            self.stdout.write(raw)

    def _onboard(
        self, options: dict[str, Any], requirement: str | None
    ) -> tuple[Onboarding, str | None]:
        result = onboard_platform(
            name=options["name"],
            trades=options["trades"],
            time_zone=options["time_zone"],
            redirect_hosts=options["redirect_host"],
            default_requirement=(
                None
                if requirement is None
                else [line for line in requirement.split(",") if line.strip()]
            ),
        )
        if not result.created:
            return result, None
        mode = ApiKey.Mode.LIVE if options["live"] else ApiKey.Mode.TEST
        _, raw = issue_api_key(
            kind=ApiKey.Kind.PLATFORM,
            name=f"{result.platform.name} key",
            platform=result.platform,
            mode=mode,
        )
        return result, raw
