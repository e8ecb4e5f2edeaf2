from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("intake", "0005_random_ids_for_existing_rows"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="message",
            constraint=models.UniqueConstraint(fields=("report", "seq"), name="one_message_per_place"),
        ),
    ]
