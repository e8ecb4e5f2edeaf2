from django.urls import path

import config.converters  # noqa: F401 - registers the "hexid" converter
from casework import views, views_admin, views_audit, views_auth, views_notifications, views_onboard, views_stats

app_name = "casework"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views_auth.login_view, name="login"),
    path("login/code/", views_auth.otp_view, name="otp"),
    path("login/enrol/", views_auth.enrol_view, name="enrol"),
    path("logout/", views_auth.logout_view, name="logout"),
    path("invitation/<invitetoken:token>/", views_onboard.accept, name="accept"),
    path("password/", views_auth.password_view, name="password"),
    path("notifications/", views_notifications.settings_page, name="notifications"),
    path("reports/", views.queue, name="queue"),
    path("reports/<hexid:report_id>/", views.report_detail, name="report"),
    path("reports/<hexid:report_id>/reply/", views.reply, name="reply"),
    path("reports/<hexid:report_id>/note/", views.note, name="note"),
    path("reports/<hexid:report_id>/status/", views.status, name="status"),
    path("reports/<hexid:report_id>/assign/", views.assign, name="assign"),
    path("reports/<hexid:report_id>/photos/<hexid:item>/", views.photo, name="photo"),
    path("stats/", views_stats.statistics, name="stats"),
    path("stats/csv/", views_stats.statistics_csv, name="stats_csv"),
    path("audit/", views_audit.audit_log, name="audit"),
    path("accounts/", views_admin.users, name="users"),
    path("accounts/invite/", views_onboard.invite, name="invite"),
    path("accounts/invitations/", views_onboard.invitation_list, name="invitations"),
    path("accounts/invitations/<int:invitation_id>/revoke/", views_onboard.invitation_revoke, name="invitation_revoke"),
    path("accounts/organisations/", views_onboard.organisation_list, name="organisations"),
    path("accounts/organisations/new/", views_onboard.organisation_new, name="organisation_new"),
    path("accounts/organisations/<int:org_id>/", views_onboard.organisation_edit, name="organisation"),
    path("accounts/organisations/<int:org_id>/retire/", views_onboard.organisation_retire, name="organisation_retire"),
    path("accounts/<int:user_id>/", views_admin.user_edit, name="user_edit"),
    path("accounts/<int:user_id>/reset/", views_admin.user_reset, name="user_reset"),
    path("accounts/grants/", views_admin.grants, name="grants"),
    path("accounts/grants/<int:user_id>/", views_admin.grant, name="grant"),
    path("accounts/rotate/", views_admin.rotate, name="rotate"),
    path("accounts/rotate/<hexid:key_id>/rewrap/", views_admin.rewrap, name="rewrap"),
    path("retention/", views_admin.retention, name="retention"),
]
