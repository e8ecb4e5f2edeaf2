from django.urls import path

from resources import views

app_name = "resources"
urlpatterns = [
    path("resources/", views.resource_list, name="list"),
    path("resources/new/", views.resource_new, name="new"),
    path("resources/<int:resource_id>/", views.resource_edit, name="edit"),
    path("resources/<int:resource_id>/delete/", views.resource_delete, name="delete"),
]
