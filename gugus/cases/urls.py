from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("daftar/", views.case_register, name="register"),
    path("<uuid:case_id>/", views.case_detail, name="detail"),
]
