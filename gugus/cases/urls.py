from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("daftar/", views.case_register, name="register"),
    path("cek-duplikat/", views.check_duplicates, name="check_duplicates"),
    path("tempat/", views.place_search, name="place_search"),
    path("gabung/<uuid:merge_id>/batal/", views.case_unmerge, name="unmerge"),
    path("<uuid:case_id>/", views.case_detail, name="detail"),
    path("<uuid:case_id>/identitas/", views.case_identity, name="identity"),
    path("<uuid:case_id>/ubah/", views.case_edit, name="edit"),
    path("<uuid:case_id>/status/", views.case_status, name="status"),
    path("<uuid:case_id>/persetujuan/", views.consent_add, name="consent_add"),
    path("<uuid:case_id>/persetujuan/<uuid:consent_id>/cabut/", views.consent_withdraw, name="consent_withdraw"),
    path("<uuid:case_id>/pelaku/", views.perpetrator_add, name="perpetrator_add"),
    path("<uuid:case_id>/pelaku/<uuid:perpetrator_id>/hapus/", views.perpetrator_remove, name="perpetrator_remove"),
    path("<uuid:case_id>/gabung/", views.case_merge, name="merge"),
]
