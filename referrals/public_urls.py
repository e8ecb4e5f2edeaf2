"""What Harbor serves with no session, no login and no language prefix: the subscribers' feed, the export's schema."""

from django.urls import path

from referrals import views, views_alerts

app_name = "public"
urlpatterns = [
    path("feeds/alerts/<str:token>/", views_alerts.alert_feed, name="alert_feed"),
    path("schema/referral-v1.json", views.referral_schema, name="referral_schema"),
]
