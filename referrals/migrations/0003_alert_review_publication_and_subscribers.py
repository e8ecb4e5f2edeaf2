# Since 2026-12 a safety alert is published only after a second advocate has
# approved it, and only a published copy (PublishedAlert) reaches subscribers
# and bulletins. An alert published before, by one person alone, has no such
# copy: it goes back to "waiting for a second advocate", so that two people
# have checked every alert that leaves. The reverse publishes them again (the
# version before this one knew no other waiting alert) and reads the two new
# ended states as "retracted", the only ended state it knew.

import django.db.models.deletion
import referrals.models
import uuid
from django.conf import settings
from django.db import migrations, models


def back_to_review(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    Referral.objects.filter(profile="peer_alert", status="published").update(status="alert_review")


def as_before(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    Referral.objects.filter(profile="peer_alert", status="alert_review").update(status="published")
    Referral.objects.filter(profile="peer_alert", status__in=["alert_rejected", "alert_expired"]).update(
        status="retracted"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('referrals', '0002_status_changed_to_the_hour'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='referral',
            name='status',
            field=models.CharField(choices=[('sent', 'Sent, not opened yet'), ('opened', 'Opened'), ('contacted', 'Reporter contacted'), ('services_provided', 'Services provided'), ('declined', 'Declined'), ('revoked', 'Revoked before it was opened'), ('withdrawn', 'Consent withdrawn after it was opened'), ('alert_review', 'Safety alert waiting for a second advocate'), ('alert_rejected', 'Safety alert sent back by the second advocate'), ('published', 'Safety alert published'), ('retracted', 'Safety alert retracted'), ('alert_expired', 'Safety alert expired')], db_index=True, default='sent', max_length=20),
        ),
        migrations.CreateModel(
            name='AlertReview',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('approved', models.BooleanField()),
                ('decided_at', models.DateTimeField(auto_now_add=True)),
                ('reason', models.BinaryField(null=True)),
                ('referral', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='review', to='referrals.referral')),
                ('reviewer', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='AlertSubscriber',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100)),
                ('lang', models.CharField(choices=[('en', 'English'), ('es', 'Español')], default='en', max_length=2)),
                ('token_digest', models.CharField(max_length=64, unique=True)),
                ('feed_id', models.UUIDField(default=uuid.uuid4, editable=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
                ('last_read_on', models.DateField(blank=True, null=True)),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['name', 'id'],
            },
        ),
        migrations.CreateModel(
            name='PublishedAlert',
            fields=[
                ('id', models.UUIDField(default=referrals.models.new_public_id, editable=False, primary_key=True, serialize=False)),
                ('published_on', models.DateField()),
                ('expires_at', models.DateTimeField(db_index=True)),
                ('blob', models.BinaryField()),
                ('referral', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='publication', to='referrals.referral')),
            ],
            options={
                'ordering': ['-published_on', 'id'],
            },
        ),
        migrations.RunPython(back_to_review, as_before),
    ]
