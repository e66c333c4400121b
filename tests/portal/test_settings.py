"""Settings read the environment: SQLite by default, PostgreSQL by DATABASE_URL, safe for deploy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_SECRET_KEY": "k3y-" + "x9Q2" * 14,
    "DJANGO_ALLOWED_HOSTS": "coverage.example.com",
    "DJANGO_DEBUG": "0",
    "DJANGO_PAYMENT_PROCESSOR": "sandbox",
    # A production key (not the published development one): tax ids at rest.
    "FIELD_ENCRYPTION_KEYS": "h6J0YhVb0Jm2oS1uq7C0j6m0tJ0j1m8Yg6b8Yq0xq1M=",
}


PROCESSOR = {"DJANGO_PAYMENT_PROCESSOR": "sandbox"}


def run(
    code: str, *, unset: tuple[str, ...] = (), **env: str
) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL"))
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            **({} if "DJANGO_PAYMENT_PROCESSOR" in unset else PROCESSOR),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def database_settings(**env: str) -> dict[str, str]:
    code = (
        "import json, django; from django.conf import settings; "
        "db = settings.DATABASES['default']; "
        "print(json.dumps({'ENGINE': db['ENGINE'], 'NAME': str(db['NAME'])}))"
    )
    result = run(code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_sqlite_in_the_project_is_the_default() -> None:
    db = database_settings()
    assert db == {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(ROOT / "db.sqlite3"),
    }


def test_database_url_selects_postgresql() -> None:
    db = database_settings(DATABASE_URL="postgres://postgres@127.0.0.1:5432/portal_x")
    assert db == {"ENGINE": "django.db.backends.postgresql", "NAME": "portal_x"}


def test_an_empty_database_url_means_unset() -> None:
    db = database_settings(DATABASE_URL="")
    assert db == {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(ROOT / "db.sqlite3"),
    }


def test_debug_is_off_unless_asked_for() -> None:
    result = run(
        "from django.conf import settings; print(settings.DEBUG, settings.SECURE_SSL_REDIRECT)"
    )
    # Outside the test runner, debug off means HTTPS redirects on.
    assert result.stdout.split() == ["False", "True"]


def test_check_deploy_is_clean_with_production_values() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            **PRODUCTION,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_the_development_secret_key() -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def deploy_check(**env: str | None) -> subprocess.CompletedProcess[str]:
    merged = {**PRODUCTION, **env}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith("DJANGO_") and k != "FIELD_ENCRYPTION_KEYS"
            },
            **{k: v for k, v in merged.items() if v is not None},
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_demands_field_encryption_keys() -> None:
    missing = deploy_check(FIELD_ENCRYPTION_KEYS=None)
    assert missing.returncode != 0
    assert "portal.E010" in missing.stdout + missing.stderr
    broken = deploy_check(FIELD_ENCRYPTION_KEYS="not-a-key")
    assert "portal.E011" in broken.stdout + broken.stderr
    published = deploy_check(
        FIELD_ENCRYPTION_KEYS="KNfFCnGs7_LymuwlXWwM00i24oOG2Eye2Xk_ZZbdNG0="
    )
    assert "portal.E012" in published.stdout + published.stderr


def storage_settings(**env: str) -> dict:
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps({'default': settings.STORAGES['default'], "
        "'base': settings.PORTAL_BASE_URL}))"
    )
    result = run(code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_files_go_to_local_media_by_default() -> None:
    assert storage_settings() == {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {},
        },
        "base": "http://127.0.0.1:8000",
    }


def test_an_s3_compatible_bucket_is_chosen_by_environment() -> None:
    options = {"bucket_name": "coi", "endpoint_url": "https://s3.example.com"}
    found = storage_settings(
        DJANGO_STORAGE_BACKEND="storages.backends.s3.S3Storage",
        DJANGO_STORAGE_OPTIONS=json.dumps(options),
        DJANGO_BASE_URL="https://coverage.example.com",
    )
    assert found == {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
        "base": "https://coverage.example.com",
    }


def test_debug_off_without_a_payment_processor_refuses_to_start() -> None:
    result = run(
        "import django; from django.conf import settings; print(settings.DEBUG)",
        unset=("DJANGO_PAYMENT_PROCESSOR",),
    )
    assert result.returncode != 0
    assert "Set DJANGO_PAYMENT_PROCESSOR to one of sandbox" in result.stderr


def test_debug_on_defaults_to_the_sandbox_processor() -> None:
    result = run(
        "from django.conf import settings; print(settings.PAYMENT_PROCESSOR)",
        unset=("DJANGO_PAYMENT_PROCESSOR",),
        DJANGO_DEBUG="1",
    )
    assert result.stdout.split() == ["sandbox"], result.stderr


TASKS_CODE = (
    "import json, django; from django.conf import settings; "
    "t = settings.TASKS['default']; "
    "print(json.dumps({'BACKEND': t['BACKEND'], 'QUEUES': t['QUEUES'], "
    "'RQ_QUEUES': sorted(getattr(settings, 'RQ_QUEUES', {})), "
    "'URL': {q['URL'] for q in getattr(settings, 'RQ_QUEUES', {}).values()}.pop() "
    "if getattr(settings, 'RQ_QUEUES', None) else None, "
    "'rq_app': 'django_rq' in settings.INSTALLED_APPS}))"
)


def test_the_task_backend_is_the_database_queue_by_default_with_every_queue() -> None:
    result = run(TASKS_CODE)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "renders", "webhooks", "email"],
        "RQ_QUEUES": [],
        "URL": None,
        "rq_app": False,
    }


def test_the_rq_backend_takes_its_redis_from_the_environment() -> None:
    url = "redis://127.0.0.1:6379/14"
    result = run(TASKS_CODE, DJANGO_TASKS_BACKEND="rq", DJANGO_TASKS_REDIS_URL=url)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "BACKEND": "django_tasks_rq.RQBackend",
        "QUEUES": ["default", "renders", "webhooks", "email"],
        "RQ_QUEUES": ["default", "email", "renders", "webhooks"],
        "URL": url,
        "rq_app": True,
    }


def test_a_wrong_task_backend_setting_is_refused_by_name() -> None:
    unknown = run(TASKS_CODE, DJANGO_TASKS_BACKEND="celery")
    assert unknown.returncode != 0
    assert "DJANGO_TASKS_BACKEND must be one of database, rq, not 'celery'" in (
        unknown.stderr
    )
    no_redis = run(TASKS_CODE, DJANGO_TASKS_BACKEND="rq")
    assert no_redis.returncode != 0
    assert "DJANGO_TASKS_BACKEND=rq needs DJANGO_TASKS_REDIS_URL" in no_redis.stderr


@pytest.mark.django_db
def test_a_statement_may_carry_more_than_65535_parameters() -> None:
    # A month's reconciliation filters by every dispatch id it booked (280,000 at
    # scale); server-side binding would refuse it ("number of parameters must be
    # between 0 and 65535"), so the settings keep client-side binding.
    from coverage.models import Assignment

    assert Assignment.objects.filter(pk__in=range(1, 70_001)).count() == 0
