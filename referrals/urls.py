from django.urls import path

import config.converters  # noqa: F401 - registers the "hexid" converter
from referrals import views

app_name = "referrals"
urlpatterns = [
    path("reports/<hexid:report_id>/refer/", views.choose, name="choose"),
    path("reports/<hexid:report_id>/refer/<str:target>/", views.build, name="build"),
    path("referrals/<hexid:referral_id>/", views.detail, name="detail"),
    path("alerts/", views.alerts, name="alerts"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<hexid:referral_id>/", views.received, name="received"),
    path("inbox/<hexid:referral_id>/print/", views.received_print, name="received_print"),
    path("inbox/<hexid:referral_id>/pdf/", views.received_pdf, name="received_pdf"),
]
