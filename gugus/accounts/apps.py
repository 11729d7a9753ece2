from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gugus.accounts"
    verbose_name = "Akun dan akses"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (login/logout/failed-login audit)
