from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "sdgnet.places"
    label = "places"
