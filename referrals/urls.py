from django.urls import path

import config.converters  # noqa: F401 - registers the "hexid" converter
from referrals import views, views_alerts

app_name = "referrals"
urlpatterns = [
    path("reports/<hexid:report_id>/refer/", views.choose, name="choose"),
    path("reports/<hexid:report_id>/refer/<str:target>/", views.build, name="build"),
    path("referrals/<hexid:referral_id>/", views.detail, name="detail"),
    path("alerts/", views_alerts.alert_list, name="alerts"),
    path("alerts/<hexid:alert_id>/review/", views_alerts.review, name="alert_review"),
    path("alerts/bulletin/", views_alerts.bulletin, name="alert_bulletin"),
    path("alerts/subscribers/", views_alerts.subscribers, name="subscribers"),
    path("alerts/subscribers/<int:subscriber_id>/revoke/", views_alerts.subscriber_revoke, name="subscriber_revoke"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<hexid:referral_id>/", views.received, name="received"),
    path("inbox/<hexid:referral_id>/print/", views.received_print, name="received_print"),
    path("inbox/<hexid:referral_id>/pdf/", views.received_pdf, name="received_pdf"),
    path("inbox/<hexid:referral_id>/json/", views.received_json, name="received_json"),
]
