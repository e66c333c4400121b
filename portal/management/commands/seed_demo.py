from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from portal.demo import DEFAULT_PASSWORD, DemoContext


class Command(BaseCommand):
    help = (
        "Create (or bring up to date) the demo platform, its users and its data. "
        "Running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password", default=None, help=f"default: {DEFAULT_PASSWORD}"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or DEFAULT_PASSWORD
        context = DemoContext(password=password, out=self.stdout)
        with transaction.atomic():
            # Each app may ship a `demo` module with `seed(context)`; they run in
            # INSTALLED_APPS order, so policies' data exists before coverage's.
            for config in apps.get_app_configs():
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                module.seed(context)
        self.stdout.write(
            f"Demo users: dispatcher, underwriter, support — password: {password}"
        )
