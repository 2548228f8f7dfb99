from django.urls import path

from sdgnet.projects import views

urlpatterns = [
    path("", views.library, name="library"),
    path("new/", views.project_new, name="project-new"),
    path("export.json", views.export, name="library-export"),
    path("p/<slug:key>/", views.project_detail, name="project"),
    path("p/<slug:key>/edit/", views.project_edit, name="project-edit"),
    path("p/<slug:key>/publish/", views.project_publish, name="project-publish"),
    path("p/<slug:key>/attachments/", views.project_attach, name="project-attach"),
    path(
        "p/<slug:key>/attachments/<int:pk>/<str:name>",
        views.project_attachment,
        name="project-attachment",
    ),
    path("p/<slug:key>/report/", views.project_report, name="project-report"),
    path("methods/<slug:key>/", views.method_detail, name="method"),
    path("moderation/", views.moderation_queue, name="moderation"),
    path("moderation/<str:kind>/<slug:key>/", views.moderate, name="moderate"),
    path("learn/<str:code>/", views.learn, name="learn"),
]
