# Since 2026-12 a referral's status_changed_at keeps the hour only: a consent
# change or a withdrawal by the reporter moves it. Existing values are rounded
# down; the reverse keeps them rounded (the minutes are gone).

import datetime

import intake.models
from django.db import migrations
from django.db.models.functions import Trunc


def round_to_the_hour(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    Referral.objects.update(status_changed_at=Trunc("status_changed_at", "hour", tzinfo=datetime.UTC))


class Migration(migrations.Migration):

    dependencies = [
        ("referrals", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="referral",
            name="status_changed_at",
            field=intake.models.HourDateTimeField(auto_now=True),
        ),
        migrations.RunPython(round_to_the_hour, migrations.RunPython.noop),
    ]
