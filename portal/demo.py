"""Demo data for `manage.py seed_demo`: the platform and one user per role."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from portal.models import Platform, Role, User


class Writer(Protocol):
    """Where seeding reports progress: a management command's stdout, or a file."""

    def write(self, msg: str) -> object: ...


DEFAULT_PASSWORD = "demo-pass-2026"
DEMO_PLATFORM = "Demo Field Services"


@dataclass
class DemoContext:
    password: str
    out: Writer
    # Objects one app's seeding hands to the next (e.g. the platform).
    objects: dict[str, object] = field(default_factory=dict)


def _user(
    username: str, role: str, platform: Platform | None, password: str, name: str
) -> User:
    first, last = name.split(" ", 1)
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "role": role,
            "platform": platform,
            "first_name": first,
            "last_name": last,
            "email": f"{username}@demo.example",
        },
    )
    # Only touch the password when it differs, so a second run writes nothing.
    if created or not user.check_password(password):
        user.set_password(password)
        user.save()
    return user


def seed(context: DemoContext) -> None:
    platform, _ = Platform.objects.get_or_create(name=DEMO_PLATFORM)
    context.objects["platform"] = platform
    _user("dispatcher", Role.DISPATCHER, platform, context.password, "Dana Dispatch")
    _user("underwriter", Role.UNDERWRITER, None, context.password, "Uma Underwood")
    _user("support", Role.SUPPORT, None, context.password, "Sam Support")
