"""Framework pages, mounted under /frameworks/ inside the language patterns."""

from __future__ import annotations

from django.urls import path

from sdgnet.catalog import views

urlpatterns = [
    path("", views.framework_list, name="frameworks"),
    path("<slug:slug>/", views.framework_detail, name="framework"),
    path("<slug:slug>/<slug:key>/edit/", views.framework_entry_edit, name="framework-entry-edit"),
]
