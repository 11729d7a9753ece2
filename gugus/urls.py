from django.contrib import admin
from django.urls import include, path

from gugus.api import api
from gugus.core import views as core_views

admin.site.site_header = "Administrasi Gugus PP-TPPO"
admin.site.site_title = "Gugus"
admin.site.index_title = "Data referensi dan akun"

handler404 = "gugus.core.views.not_found"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("akun/", include("gugus.accounts.urls")),
    path("audit/", include("gugus.audit.urls")),
    path("kasus/", include("gugus.cases.urls")),
    path("layanan/", include("gugus.care.urls")),
    path("rujukan/", include("gugus.referrals.urls")),
    path("wilayah/", include("gugus.registry.urls")),
    path("monitoring/", include("gugus.monitoring.urls")),
    path("pertukaran/", include("gugus.exchange.urls")),
    path("", include("gugus.publish.urls")),
]
