"""Tax ids at rest: encrypted in the column (read with raw SQL), masked on every screen,
never in the API, rotatable keys, and the data migration that encrypted old rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from io import StringIO

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from coverage.models import Contractor
from coverage.services.contractors import TAX_ID_TOO_LONG
from portal.models import User
from tests.coverage.helpers import ApiClient

pytestmark = pytest.mark.django_db

SSN = "123-45-6789"
EIN = "12-3456789"
# The encryption migration's parent. Going back to it also unapplies the other 0013s and
# the merge migration (0015_merge_wave3) that depend on it; the test then migrates to the
# latest state, which applies the encryption migration among them.
MIGRATED_FROM = ("coverage", "0012_assignment_work_end")
MIGRATION = ("coverage", "0013_contractor_tax_identification_encrypted")


def stored(contractor_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tax_identification FROM coverage_contractor WHERE id = %s",
            [contractor_id],
        )
        return cursor.fetchone()[0]


def all_stored_text() -> str:
    """Every column of every contractor row, as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM coverage_contractor")
        return " ".join(str(v) for row in cursor.fetchall() for v in row)


def create(api: ApiClient, tax_id: str, email: str = "terry@example.com") -> Contractor:
    response = api.post(
        "/contractors",
        {
            "first_name": "Terry",
            "last_name": "Tech",
            "email": email,
            "tax_identification": tax_id,
        },
    )
    assert response.status_code == 201, response.content
    assert "tax_identification" not in response.json()
    return Contractor.objects.get(public_id=response.json()["id"])


def test_the_column_holds_no_plaintext(api: ApiClient) -> None:
    contractor = create(api, SSN)
    raw = stored(contractor.pk)
    assert raw.startswith("gAAAAA")
    assert "6789" not in all_stored_text() and "123-45" not in all_stored_text()
    # The application reads the value through the field.
    assert Contractor.objects.get(pk=contractor.pk).tax_identification == SSN
    # Same value twice, two different tokens (random IV): no equality leak.
    other = create(api, SSN, email="tina@example.com")
    assert stored(other.pk) != raw


def test_a_change_through_the_api_is_encrypted_too(api: ApiClient) -> None:
    contractor = create(api, SSN)
    response = api.put(
        f"/contractors/{contractor.public_id}", {"tax_identification": EIN}
    )
    assert response.status_code == 200, response.content
    assert "tax_identification" not in response.json()
    assert "3456789" not in all_stored_text()
    contractor.refresh_from_db()
    assert contractor.tax_identification == EIN


def test_too_long_is_a_400_and_nothing_is_written(api: ApiClient) -> None:
    response = api.post(
        "/contractors",
        {
            "first_name": "Terry",
            "last_name": "Tech",
            "email": "terry@example.com",
            "tax_identification": "9" * 21,
        },
    )
    assert response.status_code == 400
    assert TAX_ID_TOO_LONG in str(response.json()["message"])
    assert not Contractor.objects.exists()


def test_no_tax_id_stays_empty(api: ApiClient) -> None:
    contractor = create(api, "")
    assert stored(contractor.pk) == ""
    assert contractor.tax_identification_masked == ""


def test_the_portal_and_the_admin_show_the_last_four_only(
    api: ApiClient,
    dispatcher: User,
    support: User,
    client_as: Callable[[User], Client],
) -> None:
    contractor = create(api, SSN)
    portal = client_as(dispatcher).get(f"/techs/{contractor.public_id}/")
    assert portal.status_code == 200
    page = portal.content.decode()
    assert 'data-testid="tax-id">••••6789<' in page
    assert SSN not in page and "12345" not in page

    admin = client_as(support).get(
        f"/admin/coverage/contractor/{contractor.pk}/change/"
    )
    assert admin.status_code == 200
    page = admin.content.decode()
    assert "••••6789" in page
    assert SSN not in page and stored(contractor.pk) not in page


def test_keys_rotate_first_encrypts_all_decrypt(api: ApiClient, settings) -> None:
    old = list(settings.FIELD_ENCRYPTION_KEYS)
    contractor = create(api, SSN)
    new = Fernet.generate_key().decode()

    # The new key first: old tokens still read, new writes use the new key.
    settings.FIELD_ENCRYPTION_KEYS = [new, *old]
    assert Contractor.objects.get(pk=contractor.pk).tax_identification == SSN
    with pytest.raises(InvalidToken):
        Fernet(new.encode()).decrypt(stored(contractor.pk).encode())

    out = StringIO()
    call_command("reencrypt_fields", stdout=out)
    assert "Re-encrypted 1 values" in out.getvalue()
    assert Fernet(new.encode()).decrypt(stored(contractor.pk).encode()) == SSN.encode()

    # The old key dropped: everything still reads.
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert Contractor.objects.get(pk=contractor.pk).tax_identification == SSN


@pytest.fixture
def latest_schema_afterwards() -> Iterator[None]:
    """Migrating back to before the encryption also unapplies its siblings and the merge
    migration after it: leave every app fully migrated, or this worker's later tests run
    against an old schema."""
    try:
        yield
    finally:
        call_command("migrate", verbosity=0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema_afterwards")
def test_the_migration_encrypts_rows_written_in_plaintext(platform) -> None:
    contractor = Contractor.objects.create(
        platform=platform, first_name="Old", last_name="Row", email="old@example.com"
    )
    call_command("migrate", *MIGRATED_FROM, verbosity=0)
    assert_not_applied(MIGRATION)
    # As a row written before encryption holds it.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE coverage_contractor SET tax_identification = %s WHERE id = %s",
            [SSN, contractor.pk],
        )
    call_command("migrate", verbosity=0)
    assert stored(contractor.pk).startswith("gAAAAA")
    assert SSN not in all_stored_text()
    assert Contractor.objects.get(pk=contractor.pk).tax_identification == SSN

    # And back: reversing decrypts, so a rollback loses nothing.
    call_command("migrate", *MIGRATED_FROM, verbosity=0)
    assert_not_applied(MIGRATION)
    assert stored(contractor.pk) == SSN


def assert_not_applied(migration: tuple[str, str]) -> None:
    applied = MigrationRecorder(connection).applied_migrations()
    assert migration not in applied
    assert MIGRATED_FROM in applied
