from django.urls import path

from . import views

app_name = "exchange"
urlpatterns = [
    path("", views.index, name="index"),
    path("impor/baru/", views.upload, name="upload"),
    path("impor/<uuid:batch_id>/", views.detail, name="detail"),
    path("impor/<uuid:batch_id>/progres/", views.progress, name="progress"),
    path("impor/<uuid:batch_id>/simpan/", views.commit, name="commit"),
    path("impor/<uuid:batch_id>/batal/", views.cancel, name="cancel"),
    path("impor/<uuid:batch_id>/urungkan/", views.undo, name="undo"),
    path("impor/<uuid:batch_id>/kesalahan/", views.error_sheet_download, name="error_sheet"),
    path("templat/<slug:kind>.xlsx", views.template_download, name="template"),
    path("ekspor/", views.export_form, name="export"),
    path("ekspor/<slug:kind>.<str:fmt>", views.export_download, name="export_download"),
    path("ekspor/standar/<slug:standard>.csv", views.standard_download, name="standard"),
]
