"""Mounted at the site root: every path carries its own prefix."""

from django.urls import path

from . import views

app_name = "publish"
urlpatterns = [
    path("data-terbuka/", views.opendata_index, name="opendata"),
    path("data-terbuka/datapackage.json", views.opendata_datapackage, name="datapackage"),
    path("data-terbuka/sintetis.csv", views.opendata_synthetic, name="synthetic"),
    path("data-terbuka/terbitkan/", views.opendata_publish, name="opendata_publish"),
    path("data-terbuka/rilis/<uuid:release_id>/tarik/", views.release_withdraw, name="release_withdraw"),
    path("data-terbuka/<slug:slug>.csv", views.opendata_csv, name="dataset_csv"),
    path("data-terbuka/<slug:slug>/", views.opendata_dataset, name="dataset"),
    path("bantuan/", views.help_directory, name="help"),
    path("laporan/", views.report_index, name="reports"),
    path("laporan/<uuid:job_id>/", views.report_detail, name="report_detail"),
    path("laporan/<uuid:job_id>/progres/", views.report_progress, name="report_progress"),
    path("laporan/<uuid:job_id>.<str:fmt>", views.report_file, name="report_file"),
]
