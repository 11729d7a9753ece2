from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "gugus.monitoring"
    verbose_name = "Monitoring dan evaluasi"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from gugus.core.signals import record_changed

        from . import handlers

        post_migrate.connect(_load_after_migrate, sender=self)
        record_changed.connect(handlers.on_record_changed, dispatch_uid="monitoring.on_record_changed")
        try:
            from gugus.registry.portrait_sections import register_portrait_section

            register_portrait_section("monitoring", order=90, render=handlers.portrait_section)
        except ImportError:  # pragma: no cover
            pass


def _load_after_migrate(sender, using="default", **kwargs) -> None:
    """Data elements and the shipped indicators are part of setup, loaded idempotently."""
    from .loader import ensure_loaded

    ensure_loaded()
