from django.urls import path, register_converter

from . import views


class RegionCodeConverter:
    """National ('ID'), province ('32') or kab/kota ('32.12') code."""

    regex = r"ID|\d{2}(?:\.\d{2})?"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(RegionCodeConverter, "gugus_region")

app_name = "registry"
urlpatterns = [
    path("", views.index, name="index"),
    path("anggaran-nol/", views.zero_budget, name="zero_budget"),
    path("praktik-baik/", views.practices, name="practices"),
    path("<gugus_region:code>/", views.portrait, name="portrait"),
    path("<gugus_region:code>/ekspor.<str:fmt>", views.export, name="export"),
    path("<gugus_region:code>/anggaran/", views.budgets, name="budgets"),
    path("<gugus_region:code>/gugus-tugas/baru/", views.taskforce_new, name="taskforce_new"),
    path("<gugus_region:code>/<slug:kind>/baru/", views.record_new, name="record_new"),
    path("gugus-tugas/<uuid:pk>/", views.taskforce_detail, name="taskforce"),
    path("gugus-tugas/<uuid:pk>/ubah/", views.taskforce_edit, name="taskforce_edit"),
    path("gugus-tugas/<uuid:pk>/sk-baru/", views.taskforce_renew, name="taskforce_renew"),
    path("gugus-tugas/<uuid:pk>/status/", views.taskforce_status, name="taskforce_status"),
    path("sk/<uuid:pk>/ubah/", views.decree_edit, name="decree_edit"),
    path("sk/<uuid:pk>/anggota/", views.member_add, name="member_add"),
    path("anggota/<uuid:pk>/hapus/", views.member_remove, name="member_remove"),
    path("rad/<uuid:pk>/", views.plan_detail, name="plan"),
    path("rad/<uuid:pk>/kegiatan/", views.activity_add, name="activity_add"),
    path("kegiatan/<uuid:pk>/ubah/", views.activity_edit, name="activity_edit"),
    path("kegiatan/<uuid:pk>/tahun/", views.activity_year, name="activity_year"),
    path("unit/<uuid:pk>/", views.unit_detail, name="unit"),
    path("unit/<uuid:pk>/profil/", views.unit_profile, name="unit_profile"),
    path("unit/<uuid:pk>/staf/", views.unit_staff, name="unit_staff"),
    path("pelatihan/<uuid:pk>/", views.training_detail, name="training"),
    path("praktik-baik/<uuid:pk>/", views.practice_detail, name="practice"),
    path("praktik-baik/<uuid:pk>/replikasi/", views.replication_add, name="replication_add"),
    path("anggaran/<uuid:pk>/hapus/", views.budget_delete, name="budget_delete"),
    path("<slug:kind>/<uuid:pk>/ubah/", views.record_edit, name="record_edit"),
]
