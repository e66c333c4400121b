"""`manage.py check` (and so `migrate`, `runserver`, `check --deploy`): the file storage
the settings name can be made — an S3 bucket's options are private, its package is
installed — so a misconfigured host fails at deploy, not at its first certificate."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages


@checks.register(checks.Tags.files)
def check_default_storage(**kwargs: Any) -> list[checks.CheckMessage]:
    try:
        storages.create_storage(settings.STORAGES["default"])
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="portal.E020")]
    except ImportError as exc:
        return [
            checks.Error(
                f"The file storage cannot be loaded ({exc}); DJANGO_STORAGE_BACKEND=s3 "
                "needs the locked `s3` extra (django-storages, boto3).",
                id="portal.E021",
            )
        ]
    return []
