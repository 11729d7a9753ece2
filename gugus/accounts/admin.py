"""Django admin for organisations, users, memberships and tokens (Bahasa Indonesia).

Every save and delete goes through `accounts.services`, so permission changes made here are
validated and audited exactly like those made anywhere else. Only administrators (superuser or
the `admin` role) see these pages. Users and organisations are never deleted (cases and the
audit trail refer to them): they are deactivated.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from . import services
from .models import ApiToken, Membership, Organisation, User


def is_gugus_admin(user) -> bool:
    from .scope import scope_for

    return bool(
        user and user.is_authenticated and user.is_active and (user.is_superuser or scope_for(user).has("admin.manage"))
    )


class AdminOnly:
    """Visible to administrators only (not to every staff account)."""

    def has_module_permission(self, request):
        return is_gugus_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_gugus_admin(request.user)

    def has_add_permission(self, request, *args):
        return is_gugus_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_gugus_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_gugus_admin(request.user)


class OrganisationForm(forms.ModelForm):
    new_secret_location = forms.CharField(
        label="Lokasi rahasia (baru)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Tidak ditampilkan kembali. Kosongkan untuk tidak mengubah. Disimpan terenkripsi.",
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "org_type",
            "region",
            "country",
            "capacity",
            "facilities",
            "public_address",
            "public_phone",
            "public_hours",
            "public_services",
            "listed_publicly",
            "email",
            "active",
            "is_demo",
        ]


@admin.register(Organisation)
class OrganisationAdmin(AdminOnly, admin.ModelAdmin):
    form = OrganisationForm
    list_display = ["name", "org_type", "region", "country", "capacity", "listed_publicly", "active", "is_demo"]
    list_filter = ["active", "listed_publicly", "is_demo", "org_type"]
    search_fields = ["name", "region__code", "region__name"]
    autocomplete_fields = ["region", "country"]
    actions = ["deactivate"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changed = [f for f in form.changed_data if f != "new_secret_location"]
        if form.cleaned_data.get("new_secret_location"):
            obj.secret_location = form.cleaned_data["new_secret_location"]
            changed.append("secret_location")
        services.organisation_save(actor=request.user, organisation=obj, changed=changed)

    @admin.action(description="Nonaktifkan organisasi terpilih")
    def deactivate(self, request, queryset):
        for org in queryset:
            services.organisation_deactivate(actor=request.user, organisation=org)
        messages.success(request, f"{queryset.count()} organisasi dinonaktifkan.")


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "organisation", "role", "region", "identity_access", "active"]
        help_texts = {"region": "Kosongkan untuk memakai wilayah organisasi."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "region" in self.fields:
            self.fields["region"].required = False

    def clean(self):
        data = super().clean()
        if not data.get("region") and data.get("organisation"):
            data["region"] = data["organisation"].region
            self.instance.region = data["region"]
        return data


def _save_membership(request, obj: Membership, is_new: bool) -> Membership:
    if is_new:
        return services.membership_grant(
            actor=request.user,
            user=obj.user,
            organisation=obj.organisation,
            role=obj.role,
            region_code=obj.region_id,
            identity_access=obj.identity_access,
        )
    return services.membership_change(
        actor=request.user,
        membership=obj,
        role=obj.role,
        region_code=obj.region_id,
        identity_access=obj.identity_access,
        active=obj.active,
        organisation=obj.organisation,
    )


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    extra = 0
    fields = ["organisation", "role", "region", "identity_access", "active"]
    autocomplete_fields = ["organisation", "region"]


@admin.register(Membership)
class MembershipAdmin(AdminOnly, admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "organisation", "role", "region", "identity_access", "active"]
    list_filter = ["role", "active", "identity_access"]
    search_fields = ["user__username", "organisation__name", "region__code"]
    autocomplete_fields = ["user", "organisation", "region"]

    def save_model(self, request, obj, form, change):
        saved = _save_membership(request, obj, is_new=not change)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.membership_delete(actor=request.user, membership=obj)

    def delete_queryset(self, request, queryset):
        for m in queryset:
            services.membership_delete(actor=request.user, membership=m)


@admin.register(User)
class UserAdmin(AdminOnly, DjangoUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "email", "is_active", "is_staff", "is_superuser", "is_demo", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "is_demo"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Data pribadi", {"fields": ("first_name", "last_name", "email", "preferred_language")}),
        (
            "Hak akses",
            {
                "fields": ("is_active", "is_staff", "is_superuser"),
                "description": "Peran dan wilayah diatur lewat keanggotaan di bawah. Perubahan dicatat di jejak audit.",
            },
        ),
        ("Waktu", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]
    actions = ["deactivate"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changed = list(form.changed_data)
        if not change and "password1" in form.cleaned_data:
            changed.append("password")
        services.user_save(actor=request.user, user=obj, changed=changed)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.membership_delete(actor=request.user, membership=obj)
        for obj in formset.new_objects:
            obj.user = form.instance
            _save_membership(request, obj, is_new=True)
        for obj, _fields in formset.changed_objects:
            _save_membership(request, obj, is_new=False)

    @admin.action(description="Nonaktifkan pengguna terpilih (token dicabut)")
    def deactivate(self, request, queryset):
        for user in queryset:
            services.user_deactivate(actor=request.user, user=user)
        messages.success(request, f"{queryset.count()} pengguna dinonaktifkan.")


@admin.register(ApiToken)
class ApiTokenAdmin(AdminOnly, admin.ModelAdmin):
    """Tokens are created by their owners (profile page, `gugus token`); here they can be revoked."""

    list_display = ["prefix", "name", "user", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "prefix", "name"]
    readonly_fields = ["prefix", "name", "user", "created_at", "last_used_at", "expires_at", "revoked_at"]
    fields = readonly_fields
    actions = ["revoke"]

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Cabut token terpilih")
    def revoke(self, request, queryset):
        for token in queryset:
            services.token_revoke(actor=request.user, token=token)
        messages.success(request, f"{queryset.count()} token dicabut.")
