from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal import audit
from portal.api_keys import issue_api_key
from portal.models import ApiKey, Platform


class Command(BaseCommand):
    help = (
        "Issue an API key and print it as the last line. --platform NAME issues a "
        "platform key (creating the platform if needed); --staff NAME issues a staff "
        "key for the policy-administration API."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--platform", metavar="NAME")
        who.add_argument("--staff", metavar="NAME")
        parser.add_argument(
            "--live", action="store_true", help="issue a live key (default: test)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        mode = ApiKey.Mode.LIVE if options["live"] else ApiKey.Mode.TEST
        if options["platform"]:
            name = options["platform"].strip()
            if not name:
                raise CommandError("The platform name is empty.")
            platform, created = Platform.objects.get_or_create(name=name)
            if created:
                audit.record(by=None, row=platform, action=audit.CREATED)
                self.stdout.write(
                    f"Created platform {platform.name} ({platform.public_id})."
                )
            key, raw = issue_api_key(
                kind=ApiKey.Kind.PLATFORM,
                name=f"{name} key",
                platform=platform,
                mode=mode,
            )
        else:
            name = options["staff"].strip()
            if not name:
                raise CommandError("The staff key name is empty.")
            key, raw = issue_api_key(kind=ApiKey.Kind.STAFF, name=name, mode=mode)
        self.stdout.write(f"Issued {key.kind} key {key.public_id}. It is shown once:")
        self.stdout.write(raw)
