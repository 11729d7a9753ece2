from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "gugus.referrals"
    verbose_name = "Rujukan dan koordinasi"

    def ready(self) -> None:
        from gugus.cases.panels import register_case_panel

        from .panels import referrals_panel, route_panel

        register_case_panel("route", order=15, render=route_panel)
        register_case_panel("referrals", order=40, render=referrals_panel)
