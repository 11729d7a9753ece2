from django.urls import path

from . import views

app_name = "care"
urlpatterns = [
    path("", views.index, name="index"),
    path("rumah-aman/", views.shelters, name="shelters"),
    path("rumah-aman/<uuid:shelter_id>/lokasi/", views.shelter_location, name="shelter_location"),
    path("tindak-lanjut/", views.followups, name="followups"),
    path("tindak-lanjut/<uuid:visit_id>/", views.visit, name="visit"),
    path("restitusi/", views.restitution_overdue, name="restitution_overdue"),
    path("kasus/<uuid:case_id>/", views.case_care, name="case"),
    path("kasus/<uuid:case_id>/formulir/<slug:kind>/", views.case_form, name="case_form"),
    path("kasus/<uuid:case_id>/formulir/<slug:kind>/<uuid:record_id>/", views.case_form, name="record_form"),
    path("kasus/<uuid:case_id>/layanan/", views.service_add, name="service_add"),
    path("kasus/<uuid:case_id>/rumah-aman/", views.admit, name="admit"),
    path("kasus/<uuid:case_id>/pemulangan/", views.leg_add, name="leg_add"),
    path("kasus/<uuid:case_id>/reintegrasi/", views.plan_add, name="plan_add"),
    path("kasus/<uuid:case_id>/reintegrasi/status/", views.plan_status, name="plan_status"),
    path("kasus/<uuid:case_id>/hak/", views.right_set, name="right_set"),
    path("kasus/<uuid:case_id>/hukum/", views.legal_case, name="legal_case"),
    path("kasus/<uuid:case_id>/hukum/tahap/", views.legal_event, name="legal_event"),
    path("kasus/<uuid:case_id>/restitusi/", views.restitution, name="restitution"),
    path("kasus/<uuid:case_id>/restitusi/bayar/", views.payment, name="payment"),
    path("layanan/<uuid:service_id>/", views.service_detail, name="service"),
    path("tinggal/<uuid:stay_id>/keluar/", views.discharge, name="discharge"),
    path("pemulangan/<uuid:leg_id>/", views.leg_detail, name="leg"),
]
