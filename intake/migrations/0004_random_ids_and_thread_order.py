# Since 2026-12: rows a reporter's action writes get random ids (the columns
# change type here; 0005 gives existing rows their random ids), messages get
# their place in the thread, photos their position.

import intake.models
from django.core.management.color import no_style
from django.db import migrations, models

AUTO_ID_MODELS = ("section", "message", "attachment", "attachmentchunk", "spentdraft")


def reset_id_sequences(apps, schema_editor):
    """After a reverse, integer ids are back: start each sequence after the largest id."""
    connection = schema_editor.connection
    models_ = [apps.get_model("intake", name) for name in AUTO_ID_MODELS]
    for sql in connection.ops.sequence_reset_sql(no_style(), models_):
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ("intake", "0003_queue_indexes"),
    ]

    operations = [
        # Listed first so that it runs last when the migration is reversed.
        migrations.RunPython(migrations.RunPython.noop, reset_id_sequences, elidable=False),
        migrations.AlterModelOptions(
            name="attachment",
            options={"ordering": ["position"]},
        ),
        migrations.AlterModelOptions(
            name="message",
            options={"ordering": ["seq"]},
        ),
        migrations.AddField(
            model_name="attachment",
            name="position",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="message",
            name="legacy_item",
            field=models.CharField(blank=True, default="", max_length=20),
        ),
        migrations.AddField(
            model_name="message",
            name="seq",
            field=models.PositiveIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="attachment",
            name="id",
            field=models.CharField(
                default=intake.models.new_row_id, editable=False, max_length=32, primary_key=True, serialize=False
            ),
        ),
        migrations.AlterField(
            model_name="attachmentchunk",
            name="id",
            field=models.CharField(
                default=intake.models.new_row_id, editable=False, max_length=32, primary_key=True, serialize=False
            ),
        ),
        migrations.AlterField(
            model_name="message",
            name="created_at",
            field=intake.models.HourDateTimeField(auto_now_add=True),
        ),
        migrations.AlterField(
            model_name="message",
            name="id",
            field=models.CharField(
                default=intake.models.new_row_id, editable=False, max_length=32, primary_key=True, serialize=False
            ),
        ),
        migrations.AlterField(
            model_name="message",
            name="kind",
            field=models.CharField(blank=True, default="", max_length=16),
        ),
        migrations.AlterField(
            model_name="section",
            name="id",
            field=models.CharField(
                default=intake.models.new_row_id, editable=False, max_length=32, primary_key=True, serialize=False
            ),
        ),
        migrations.AlterField(
            model_name="spentdraft",
            name="id",
            field=models.CharField(
                default=intake.models.new_row_id, editable=False, max_length=32, primary_key=True, serialize=False
            ),
        ),
    ]
