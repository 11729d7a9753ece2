from django.urls import path

from . import views

app_name = "monitoring"
urlpatterns = [
    path("", views.home, name="home"),
    path("wilayah/<str:code>/", views.region_dashboard, name="region"),
    path("wilayah/<str:code>/unduh/<slug:key>.csv", views.chart_csv, name="chart_csv"),
    path("indikator/", views.indicator_list, name="indicators"),
    path("indikator/baru/", views.indicator_create, name="indicator_create"),
    path("indikator/<slug:code>/", views.indicator_detail, name="indicator"),
    path("indikator/<slug:code>/ubah/", views.indicator_edit, name="indicator_edit"),
    path("indikator/<slug:code>/target/", views.indicator_target, name="indicator_target"),
    path("elemen/", views.element_list, name="elements"),
    path("kelengkapan/", views.completeness_page, name="completeness"),
    path("penutupan/", views.close_month, name="close"),
    path("penutupan/<int:pk>/buka/", views.reopen_month, name="reopen"),
    path("skor/", views.scorecard, name="scorecard"),
    path("kerentanan/", views.vulnerability, name="vulnerability"),
    path("telusur/", views.drill, name="drill"),
    path("konteks/", views.context_page, name="context"),
    path("pengaturan/", views.settings_page, name="settings"),
]
