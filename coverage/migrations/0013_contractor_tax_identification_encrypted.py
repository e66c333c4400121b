# Tax ids encrypted at rest (issue 14): the column becomes text wide enough for a
# Fernet token, then every stored plaintext value is encrypted in place.

import portal.encryption
from django.db import migrations


def encrypt_existing(apps, schema_editor):
    table = apps.get_model("coverage", "Contractor")._meta.db_table
    portal.encryption.rewrite_column(
        connection=schema_editor.connection,
        table=table,
        column="tax_identification",
        change=portal.encryption.encrypt_plaintext,
    )


def decrypt_existing(apps, schema_editor):
    table = apps.get_model("coverage", "Contractor")._meta.db_table
    portal.encryption.rewrite_column(
        connection=schema_editor.connection,
        table=table,
        column="tax_identification",
        change=portal.encryption.decrypt_token,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("coverage", "0012_assignment_work_end"),
    ]

    operations = [
        migrations.AlterField(
            model_name="contractor",
            name="tax_identification",
            field=portal.encryption.EncryptedTextField(blank=True),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
