from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "gugus.reference"
    verbose_name = "Data referensi"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(_load_after_migrate, sender=self)


def _load_after_migrate(sender, using="default", **kwargs) -> None:
    """Reference data is part of setup: every migrated database has it, loaded idempotently."""
    from .loader import load_reference

    load_reference()
