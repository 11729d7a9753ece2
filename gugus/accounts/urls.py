from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("otp/", views.otp_view, name="otp"),
    path("profil/", views.profile, name="profile"),
    path("token/", views.token_new, name="token_new"),
    path("token/<uuid:token_id>/cabut/", views.token_delete, name="token_delete"),
]
