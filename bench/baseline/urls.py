from django.urls import path

from bench.baseline import views

urlpatterns = [path("plain-send/", views.plain_send, name="bench-plain-send")]
