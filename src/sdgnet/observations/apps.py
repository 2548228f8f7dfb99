from django.apps import AppConfig


class ObservationsConfig(AppConfig):
    name = "sdgnet.observations"
    label = "observations"
