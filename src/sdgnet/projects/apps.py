from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "sdgnet.projects"
    label = "projects"
