from django.urls import path

from referrals import views

app_name = "referrals"
urlpatterns = [
    path("reports/<str:report_id>/refer/", views.choose, name="choose"),
    path("reports/<str:report_id>/refer/<str:target>/", views.build, name="build"),
    path("referrals/<str:referral_id>/", views.detail, name="detail"),
    path("alerts/", views.alerts, name="alerts"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<str:referral_id>/", views.received, name="received"),
    path("inbox/<str:referral_id>/print/", views.received_print, name="received_print"),
    path("inbox/<str:referral_id>/pdf/", views.received_pdf, name="received_pdf"),
]
