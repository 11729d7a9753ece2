from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "gugus.care"
    verbose_name = "Layanan, hak korban dan proses hukum"

    def ready(self) -> None:
        from .panels import register_panels, register_portrait

        register_panels()
        register_portrait()
