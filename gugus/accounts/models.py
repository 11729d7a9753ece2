"""Organisations, users, memberships (role + region), API tokens."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from gugus.reference.models import Code, Country, Region

from .crypto import EncryptedTextField
from .roles import IDENTITY_GRANTABLE, Role

SHELTER_TYPES = {
    "safe_house",
    "rptc",
    "rpsa",
    "rpsw",
    "trauma_centre",
    "kemensos_sentra",
    "uptd_ppa_prov",
    "uptd_ppa_kabkota",
    "p2tp2a",
}
ABROAD_TYPES = {"mofa_mission", "foreign_embassy"}


class Organisation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField("nama", max_length=200)
    org_type = models.ForeignKey(
        Code,
        on_delete=models.PROTECT,
        limit_choices_to={"code_list": "org_type"},
        verbose_name="jenis",
        related_name="+",
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name="wilayah", related_name="+")
    country = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name="negara (jika di luar negeri)",
        related_name="+",
    )
    capacity = models.PositiveIntegerField("kapasitas tempat tidur", null=True, blank=True)
    facilities = models.TextField("fasilitas", blank=True)
    # Public contact data, for the public help directory. Never for safe houses.
    public_address = models.CharField("alamat layanan publik", max_length=300, blank=True)
    public_phone = models.CharField("telepon layanan publik", max_length=40, blank=True)
    public_hours = models.CharField("jam layanan", max_length=120, blank=True)
    public_services = models.CharField("layanan", max_length=300, blank=True)
    listed_publicly = models.BooleanField("tampil di direktori publik", default=False)
    # A safe house's exact location is identity-grade: encrypted, shown only with identity access.
    secret_location = EncryptedTextField("lokasi rahasia", blank=True, default="")
    email = models.EmailField("surel", blank=True)
    active = models.BooleanField("aktif", default=True)
    is_demo = models.BooleanField("data demo", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "organisasi"
        verbose_name_plural = "organisasi"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(org_type="org_type.safe_house") | Q(listed_publicly=False),
                name="safe_house_never_listed",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def type_code(self) -> str:
        return self.org_type_id.split(".", 1)[1] if self.org_type_id else ""

    def clean(self):
        """Meaning of an organisation's fields: shelters carry a capacity, only shelters do;
        organisations abroad name their country; safe houses are never in the public directory."""
        from django.core.exceptions import ValidationError

        errors: dict[str, str] = {}
        code = self.type_code
        if self.org_type_id and not self.org_type_id.startswith("org_type."):
            errors["org_type"] = f"Jenis '{self.org_type_id}' bukan jenis organisasi."
        if code in SHELTER_TYPES:
            if self.capacity is None:
                errors["capacity"] = "Kapasitas wajib diisi untuk rumah aman, shelter dan UPTD PPA."
            elif self.capacity <= 0 or self.capacity > 10_000:
                errors["capacity"] = f"Kapasitas {self.capacity} tidak wajar (1–10.000)."
        elif code and self.capacity is not None:
            errors["capacity"] = "Kapasitas hanya untuk rumah aman, shelter dan UPTD PPA."
        if code in ABROAD_TYPES:
            if not self.country_id or self.country_id == "ID":
                errors["country"] = "Perwakilan di luar negeri wajib menyebut negaranya."
        elif code and self.country_id and self.country_id != "ID":
            errors["country"] = "Negara hanya diisi untuk perwakilan di luar negeri."
        if code == "safe_house":
            if self.listed_publicly:
                errors["listed_publicly"] = "Rumah aman tidak boleh tampil di direktori publik."
            if self.public_address or self.public_phone:
                errors["public_address"] = "Rumah aman tidak boleh punya alamat/telepon publik; gunakan lokasi rahasia."
        if errors:
            raise ValidationError(errors)

    @property
    def is_shelter(self) -> bool:
        return self.type_code in SHELTER_TYPES

    @property
    def is_abroad(self) -> bool:
        return self.country_id is not None and self.country_id != "ID"


class User(AbstractUser):
    """A person who logs in. What they may do comes from their memberships."""

    preferred_language = models.CharField(
        "bahasa", max_length=5, default="id", choices=[("id", "Indonesia"), ("en", "English")]
    )
    is_demo = models.BooleanField("akun demo", default=False)

    class Meta:
        verbose_name = "pengguna"
        verbose_name_plural = "pengguna"


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField("peran", max_length=20, choices=Role.choices)
    # The region subtree the role covers; defaults to the organisation's region.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name="wilayah cakupan", related_name="+")
    identity_access = models.BooleanField(
        "akses identitas", default=False, help_text="Hanya untuk peran yang dapat diberi akses identitas."
    )
    active = models.BooleanField("aktif", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "keanggotaan"
        verbose_name_plural = "keanggotaan"
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.identity_access and self.role not in IDENTITY_GRANTABLE:
            raise ValidationError({"identity_access": "Peran ini tidak dapat diberi akses identitas."})


class ApiToken(models.Model):
    """A personal API token. Only the SHA-256 of the token is stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("nama", max_length=80, default="token")
    prefix = models.CharField(max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "token API"
        verbose_name_plural = "token API"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"
