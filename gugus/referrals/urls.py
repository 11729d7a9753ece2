from django.urls import path

from . import views

app_name = "referrals"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<uuid:referral_id>/", views.detail, name="detail"),
    path("<uuid:referral_id>/terima/", views.accept, name="accept"),
    path("<uuid:referral_id>/tolak/", views.decline, name="decline"),
    path("<uuid:referral_id>/selesai/", views.complete, name="complete"),
    path("<uuid:referral_id>/batal/", views.cancel, name="cancel"),
    path("kasus/<uuid:case_id>/baru/", views.create, name="create"),
    path("kasus/<uuid:case_id>/tujuan/", views.receiver_options, name="receiver_options"),
    path("notifikasi/", views.notification_list, name="notifications"),
    path("notifikasi/lencana/", views.notification_badge, name="notification_badge"),
    path("notifikasi/baca-semua/", views.notification_read_all, name="notification_read_all"),
    path("notifikasi/<uuid:notification_id>/baca/", views.notification_read, name="notification_read"),
    path("rapat/", views.meeting_list, name="meetings"),
    path("rapat/baru/", views.meeting_create, name="meeting_create"),
    path("rapat/<uuid:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("rapat/<uuid:meeting_id>/ubah/", views.meeting_edit, name="meeting_edit"),
    path("rapat/<uuid:meeting_id>/tindak-lanjut/", views.action_item_add, name="action_item_add"),
    path("tindak-lanjut/", views.action_item_list, name="action_items"),
    path("tindak-lanjut/<uuid:item_id>/status/", views.action_item_status, name="action_item_status"),
    path("ukuran/", views.measures, name="measures"),
]
