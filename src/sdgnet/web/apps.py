from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "sdgnet.web"
    label = "web"
