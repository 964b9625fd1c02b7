# The summary's job becomes the job of any drafted document (the summary, the case book), with its PDF.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0001_initial"),
    ]

    operations = [
        migrations.RenameModel(old_name="SummaryJob", new_name="DocumentJob"),
        migrations.AddField(
            model_name="documentjob",
            name="document",
            field=models.CharField(
                choices=[("summary", "全国活动总结"), ("casebook", "案例汇编")], default="summary", max_length=10
            ),
        ),
        migrations.AlterField(
            model_name="documentjob",
            name="scope",
            field=models.CharField(
                blank=True, choices=[("accepted", "仅已审核"), ("submitted", "已报送和已审核")], max_length=10
            ),
        ),
        migrations.AddField(model_name="documentjob", name="kinds", field=models.JSONField(blank=True, default=list)),
        migrations.AddField(
            model_name="documentjob", name="pdf_file", field=models.CharField(blank=True, max_length=255)
        ),
        migrations.AddField(model_name="documentjob", name="pdf_size", field=models.PositiveIntegerField(default=0)),
        migrations.AddField(
            model_name="documentjob", name="pdf_missing", field=models.CharField(blank=True, max_length=500)
        ),
    ]
