"""An activity's media outputs move from nine fixed columns to rows keyed by the statistics figure code, so that
the campaign's form decides which outputs an activity records. Every non-zero column becomes a row; going back
copies the rows of these nine codes into the columns again (rows of other codes have no column to go to)."""

from django.db import migrations, models

# The old column → the figure code it added up to (the former activities.models.FIGURE_FOR_OUTPUT), frozen here:
# the migration must keep meaning what it meant when it was written.
FIGURE_FOR_OUTPUT = {
    "sessions": "meeting_sessions",
    "attendance": "meeting_attendance",
    "print_articles": "print_news",
    "tv_items": "tv_news",
    "broadcasts": "radio_broadcasts",
    "web_news": "web_news",
    "videos": "videos",
    "livestreams": "live_sessions",
    "live_viewers": "live_viewers",
}
BATCH = 1000


def columns_to_rows(apps, schema_editor):
    Activity = apps.get_model("activities", "Activity")
    Output = apps.get_model("activities", "ActivityOutputValue")
    db = schema_editor.connection.alias
    rows = []
    for activity in Activity.objects.using(db).values("pk", *FIGURE_FOR_OUTPUT).order_by("pk").iterator():
        for column, code in FIGURE_FOR_OUTPUT.items():
            if activity[column]:
                rows.append(Output(activity_id=activity["pk"], code=code, value=activity[column]))
        if len(rows) >= BATCH:
            Output.objects.using(db).bulk_create(rows)
            rows = []
    Output.objects.using(db).bulk_create(rows)


def rows_to_columns(apps, schema_editor):
    Activity = apps.get_model("activities", "Activity")
    Output = apps.get_model("activities", "ActivityOutputValue")
    db = schema_editor.connection.alias
    column_for = {code: column for column, code in FIGURE_FOR_OUTPUT.items()}
    outputs: dict[int, dict[str, int]] = {}
    for row in Output.objects.using(db).filter(code__in=column_for).values("activity_id", "code", "value"):
        outputs.setdefault(row["activity_id"], {})[column_for[row["code"]]] = row["value"]
    for pk, values in outputs.items():
        Activity.objects.using(db).filter(pk=pk).update(**values)


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ActivityOutputValue",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=50, verbose_name="指标")),
                ("value", models.PositiveBigIntegerField()),
                (
                    "activity",
                    models.ForeignKey(
                        on_delete=models.deletion.CASCADE, related_name="outputs", to="activities.activity"
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("activity", "code"), name="activity_output_code_unique")
                ],
            },
        ),
        migrations.RunPython(columns_to_rows, rows_to_columns, elidable=False),
        migrations.RemoveField(model_name="activity", name="sessions"),
        migrations.RemoveField(model_name="activity", name="attendance"),
        migrations.RemoveField(model_name="activity", name="print_articles"),
        migrations.RemoveField(model_name="activity", name="tv_items"),
        migrations.RemoveField(model_name="activity", name="broadcasts"),
        migrations.RemoveField(model_name="activity", name="web_news"),
        migrations.RemoveField(model_name="activity", name="videos"),
        migrations.RemoveField(model_name="activity", name="livestreams"),
        migrations.RemoveField(model_name="activity", name="live_viewers"),
    ]
