from django.apps import AppConfig


class ScoresConfig(AppConfig):
    name = "sdgnet.scores"
    label = "scores"
