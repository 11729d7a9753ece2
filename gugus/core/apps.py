from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gugus.core"
    verbose_name = "Inti"
