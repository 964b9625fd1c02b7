"""The chain head may move forward by several rows at once (rows appended in one statement); it still never moves
back or stays. The triggers are installed again with that rule (chengxin.audit.triggers)."""

from django.db import migrations

from chengxin.audit import triggers


def reinstall(apps, schema_editor):
    triggers.uninstall(schema_editor.connection)
    triggers.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [migrations.RunPython(reinstall, reinstall)]
