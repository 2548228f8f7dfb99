"""Network pages, mounted under /network/ inside the language patterns."""

from __future__ import annotations

from django.urls import path

from sdgnet.network import views

urlpatterns = [
    path("members/", views.member_list, name="network_members"),
    path("apply/", views.apply, name="network_apply"),
    path("applications/", views.application_list, name="network_applications"),
    path("applications/<int:pk>/decide/", views.decide, name="network_decide"),
    path("groups/", views.group_list, name="learning_groups"),
    path("groups/new/", views.group_create, name="learning_group_create"),
    path("groups/<slug:slug>/", views.group_detail, name="learning_group"),
    path("targets/<str:code>/", views.targets, name="local_targets"),
]
