"""The baseline queue lives under /staff/ so the same staff middleware and navigation run for it."""

from django.urls import path

from bench.baseline import views

urlpatterns = [path("plain-queue/", views.plain_queue, name="bench-plain-queue")]
