from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "gugus.registry"
    verbose_name = "Registri wilayah"

    def ready(self) -> None:
        from .case_figures import render_case_section
        from .portrait_sections import register_portrait_section

        register_portrait_section("cases", order=10, render=render_case_section)
