from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "sdgnet.catalog"
    label = "catalog"
