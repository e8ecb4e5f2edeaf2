from django.urls import path

from intake import views

app_name = "intake"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("report/", views.report, name="report"),
    path("report/send/", views.send, name="send"),
    path("report/sent/", views.sent, name="sent"),
    path("report/done/", views.done, name="done"),
    path("rights/", views.rights, name="rights"),
    path("check/", views.check, name="check"),
    path("check/message/", views.check_message, name="check_message"),
    path("check/consent/", views.check_consent, name="check_consent"),
    path("check/withdraw/", views.check_withdraw, name="check_withdraw"),
    path("check/withdrawn/", views.withdrawn, name="withdrawn"),
]
