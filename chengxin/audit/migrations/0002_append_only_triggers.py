"""The database triggers that keep the audit tables append-only (chengxin.audit.triggers), and the chain head."""

from django.db import migrations

from chengxin.audit import triggers

GENESIS_HASH = "0" * 64


def forwards(apps, schema_editor):
    apps.get_model("audit", "AuditChainHead").objects.using(schema_editor.connection.alias).get_or_create(
        pk=1, defaults={"seq": 0, "hash": GENESIS_HASH}
    )
    triggers.install(schema_editor.connection)


def backwards(apps, schema_editor):
    triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
