"""Editing pages, mounted under /data/ inside the language patterns."""

from __future__ import annotations

from django.urls import path

from sdgnet.observations import views

urlpatterns = [
    path("upload/", views.upload, name="upload_observations"),
    path("upload/confirm/", views.confirm_upload, name="confirm_upload"),
    path("enter/", views.enter_value, name="enter_value"),
    path("embargoed/", views.embargoed, name="embargoed"),
    path("batches/<int:batch_id>/publish/", views.publish, name="publish_batch"),
    path("observations.csv", views.export_csv, name="export_observations"),
]
