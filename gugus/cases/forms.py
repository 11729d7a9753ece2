"""Forms check shape only; meaning (NIK, regions, dates against each other) is checked by the
services, whose field errors are put back on these forms."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import fields as dataclass_fields

from django import forms
from django.conf import settings
from django.core import signing

from gugus.reference.codes import choices

from .models import CaseStatus, Consent
from .services import IDENTITY_FIELDS, RouteLegData, VictimData, _comparable

ROUTE_ROWS = 5
ROUTE_STAGE_CHOICES = [
    ("", "—"),
    ("recruitment", "Perekrutan"),
    ("transit", "Transit"),
    ("exploitation", "Eksploitasi"),
    ("identification", "Identifikasi/penyelamatan"),
]
DEFAULT_ROUTE_STAGES = ["recruitment", "transit", "transit", "exploitation", ""]


def _opt(list_key: str, blank: str = "—") -> list[tuple[str, str]]:
    return [("", blank), *choices(list_key)]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kw):
        super().__init__(format="%Y-%m-%d", **kw)


class VictimForm(forms.Form):
    """Register / edit a victim's case file. Sections are rendered as fieldsets by the template."""

    # identity (only rendered and accepted with identity access)
    full_name = forms.CharField(label="Nama lengkap", max_length=200, required=False)
    aliases = forms.CharField(
        label="Nama lain / panggilan (satu per baris)",
        required=False,
        max_length=2200,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    nik = forms.CharField(
        label="NIK (16 digit)",
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    birth_date = forms.DateField(label="Tanggal lahir", required=False, widget=DateInput())
    phone = forms.CharField(
        label="Telepon",
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    address = forms.CharField(label="Alamat", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    document_number = forms.CharField(label="Nomor paspor/dokumen (WNA)", max_length=30, required=False)
    guardian_name = forms.CharField(label="Nama orang tua/wali (wajib untuk anak)", max_length=200, required=False)
    guardian_relation = forms.CharField(label="Hubungan wali", max_length=60, required=False)
    guardian_phone = forms.CharField(label="Telepon wali", max_length=24, required=False)
    # person (pseudonymous)
    sex = forms.ChoiceField(label="Jenis kelamin", required=False)
    estimated_age = forms.IntegerField(
        label="Perkiraan usia (jika tanggal lahir tidak diketahui)", required=False, min_value=0, max_value=110
    )
    citizenship_status = forms.ChoiceField(label="Kewarganegaraan", required=False)
    citizenship = forms.CharField(label="Negara kewarganegaraan (WNA)", max_length=60, required=False)
    domicile_region = forms.CharField(label="Wilayah domisili (kab/kota atau kecamatan)", max_length=80, required=False)
    disability = forms.ChoiceField(label="Disabilitas", required=False)
    education = forms.ChoiceField(label="Pendidikan", required=False)
    occupation = forms.ChoiceField(label="Pekerjaan", required=False)
    # identification
    identification_date = forms.DateField(label="Tanggal identifikasi", required=False, widget=DateInput())
    identification_channel = forms.ChoiceField(label="Jalur identifikasi", required=False)
    trafficking_status = forms.ChoiceField(
        label="Status korban",
        required=False,
        choices=[("possible", "Diduga korban"), ("actual", "Korban"), ("not_a_victim", "Bukan korban")],
    )
    origin_region = forms.CharField(label="Wilayah asal (jika beda dari domisili)", max_length=80, required=False)
    # exploitation
    exploitation_forms = forms.MultipleChoiceField(
        label="Bentuk eksploitasi", required=False, widget=forms.CheckboxSelectMultiple
    )
    sector = forms.ChoiceField(label="Sektor", required=False)
    exploitation_start = forms.DateField(label="Mulai eksploitasi", required=False, widget=DateInput())
    exploitation_end = forms.DateField(label="Akhir eksploitasi", required=False, widget=DateInput())
    scope = forms.ChoiceField(
        label="Lingkup", required=False, choices=[("domestic", "Dalam negeri"), ("transnational", "Lintas negara")]
    )
    destination_country = forms.CharField(label="Negara tujuan eksploitasi", max_length=60, required=False)
    means = forms.MultipleChoiceField(label="Cara (sarana)", required=False, widget=forms.CheckboxSelectMultiple)
    acts = forms.MultipleChoiceField(label="Tindakan", required=False, widget=forms.CheckboxSelectMultiple)
    recruiter_relation = forms.ChoiceField(label="Hubungan dengan perekrut", required=False)
    recruiting_agency = forms.CharField(label="Agen/perusahaan perekrut", max_length=200, required=False)
    narrative = forms.CharField(
        label="Kronologi singkat (rahasia)", required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )

    SECTIONS = [
        (
            "Identitas korban (rahasia)",
            ["full_name", "aliases", "nik", "birth_date", "phone", "address", "document_number"],
            True,
        ),
        (
            "Data diri",
            [
                "sex",
                "estimated_age",
                "citizenship_status",
                "citizenship",
                "domicile_region",
                "disability",
                "education",
                "occupation",
            ],
            False,
        ),
        ("Orang tua/wali (untuk anak)", ["guardian_name", "guardian_relation", "guardian_phone"], True),
        (
            "Identifikasi",
            ["identification_date", "identification_channel", "trafficking_status", "origin_region"],
            False,
        ),
        (
            "Eksploitasi",
            [
                "exploitation_forms",
                "sector",
                "exploitation_start",
                "exploitation_end",
                "scope",
                "destination_country",
                "means",
                "acts",
                "recruiter_relation",
                "recruiting_agency",
            ],
            False,
        ),
        ("Kronologi", ["narrative"], False),
    ]
    DUP_FIELDS = {"full_name", "aliases", "nik", "birth_date", "phone", "estimated_age", "document_number"}
    PLACE_FIELDS = {
        "domicile_region": "region",
        "origin_region": "region",
        "citizenship": "country",
        "destination_country": "country",
    }

    def __init__(self, *args, identity: bool = True, **kw):
        super().__init__(*args, **kw)
        self.identity = identity
        self.fields["sex"].choices = _opt("sex")
        self.fields["citizenship_status"].choices = choices("citizenship_status")
        for name, key in (
            ("disability", "disability"),
            ("education", "education"),
            ("occupation", "occupation"),
            ("identification_channel", "identification_channel"),
            ("sector", "labour_sector"),
            ("recruiter_relation", "recruiter_relation"),
        ):
            self.fields[name].choices = _opt(key)
        self.fields["exploitation_forms"].choices = choices("exploitation")
        self.fields["means"].choices = choices("means")
        self.fields["acts"].choices = choices("act")
        for i in range(1, ROUTE_ROWS + 1):
            self.fields[f"route_{i}_stage"] = forms.ChoiceField(
                label=f"Tahap {i}", required=False, choices=ROUTE_STAGE_CHOICES
            )
            self.fields[f"route_{i}_place"] = forms.CharField(
                label=f"Tempat {i} (wilayah atau negara)", max_length=80, required=False
            )
            self.fields[f"route_{i}_note"] = forms.CharField(label=f"Keterangan {i}", max_length=200, required=False)
        if not identity:
            for f in IDENTITY_FIELDS:
                if f in self.fields:
                    del self.fields[f]
        for name, f in self.fields.items():
            if name in self.DUP_FIELDS:
                f.widget.attrs["class"] = "dup-src"

    def sections(self):
        for title, names, is_identity in self.SECTIONS:
            present = [self[n] for n in names if n in self.fields]
            if present:
                yield title, present, is_identity

    def route_rows(self):
        return [
            (self[f"route_{i}_stage"], self[f"route_{i}_place"], self[f"route_{i}_note"])
            for i in range(1, ROUTE_ROWS + 1)
        ]

    def route_legs(self) -> list[RouteLegData]:
        from .validation import resolve_country

        legs = []
        for i in range(1, ROUTE_ROWS + 1):
            stage = self.cleaned_data.get(f"route_{i}_stage") or ""
            place = (self.cleaned_data.get(f"route_{i}_place") or "").strip()
            note = self.cleaned_data.get(f"route_{i}_note") or ""
            if not place and not note:
                continue
            if not stage:
                stage = "transit"
            country = resolve_country(place) if place else None
            if country:
                legs.append(RouteLegData(stage=stage, country_code=country, place_note=note))
            elif place:
                legs.append(RouteLegData(stage=stage, region_code=place, place_note=note))
            else:
                legs.append(RouteLegData(stage=stage, place_note=note))
        return legs

    def values(self) -> dict:
        """VictimData keyword values from the cleaned form (only the fields the form carries)."""
        cd = self.cleaned_data
        out = {}
        allowed = {f.name for f in dataclass_fields(VictimData)}
        for name in self.fields:
            if name.startswith("route_") or name not in allowed:
                continue
            v = cd.get(name)
            if name == "aliases":
                v = [a.strip() for a in (v or "").splitlines() if a.strip()]
            elif name in ("exploitation_forms", "means", "acts"):
                v = list(v or [])
            elif name in ("sex", "identification_channel", "citizenship_status", "trafficking_status", "scope"):
                v = v or ""
            elif isinstance(v, str) and name in (
                "disability",
                "education",
                "occupation",
                "sector",
                "recruiter_relation",
                "domicile_region",
                "origin_region",
                "citizenship",
                "destination_country",
            ):
                v = v.strip() or None
            out[name] = v
        out["route"] = self.route_legs()
        if not out.get("citizenship_status"):
            out["citizenship_status"] = "wni"
        if not out.get("scope"):
            out["scope"] = "domestic"
        if not out.get("trafficking_status"):
            out["trafficking_status"] = "possible"
        return out

    def victim_data(self, *, draft: bool) -> VictimData:
        v = self.values()
        v.setdefault("full_name", "")
        return VictimData(
            sex=v.pop("sex", "") or "",
            identification_date=v.pop("identification_date", None),
            identification_channel=v.pop("identification_channel", "") or "",
            is_draft=draft,
            **v,
        )

    @staticmethod
    def initial_from(data: VictimData, *, identity: bool) -> dict:
        init = {}
        for name in VictimForm.base_fields:
            if not identity and name in IDENTITY_FIELDS:
                continue
            v = getattr(data, name, None)
            if name == "aliases":
                v = "\n".join(v or [])
            init[name] = v
        if data.estimated_age is not None and data.birth_date is None:
            init["estimated_age"] = data.estimated_age
        for i, leg in enumerate(data.route[:ROUTE_ROWS], start=1):
            init[f"route_{i}_stage"] = leg.stage
            init[f"route_{i}_place"] = (
                leg.country_code
                if leg.country_code and leg.country_code != "ID"
                else (leg.region_code or leg.country_code or "")
            )
            init[f"route_{i}_note"] = leg.place_note
        return init


class RegisterForm(VictimForm):
    dup_ack = forms.BooleanField(
        label="Saya sudah memeriksa kemungkinan duplikat di atas: ini orang yang berbeda.", required=False
    )

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        for i, stage in enumerate(DEFAULT_ROUTE_STAGES, start=1):
            self.fields[f"route_{i}_stage"].initial = stage


def field_digests(case_pk, data: VictimData, *, identity: bool) -> dict:
    """A keyed digest of each field's value as the editor saw it: on a stale save, comparing
    these with the current values names what another user changed, without putting any value
    (identity or not) into the page twice."""
    key = settings.SECRET_KEY.encode()
    out = {}
    for name in VictimForm.base_fields:
        if not identity and name in IDENTITY_FIELDS:
            continue
        value = _comparable(name, getattr(data, name, None))
        raw = json.dumps([str(case_pk), name, value], default=str, sort_keys=True)
        out[name] = hmac.new(key, raw.encode(), hashlib.sha256).hexdigest()[:16]
    value = _comparable("route", data.route)
    out["route"] = hmac.new(
        key, json.dumps([str(case_pk), "route", value], default=str).encode(), hashlib.sha256
    ).hexdigest()[:16]
    return out


def sign_digests(digests: dict) -> str:
    return signing.dumps(digests, salt="gugus.cases.edit", compress=True)


def unsign_digests(token: str) -> dict | None:
    try:
        value = signing.loads(token or "", salt="gugus.cases.edit")
    except signing.BadSignature:
        return None
    return value if isinstance(value, dict) else None


class EditForm(VictimForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    orig = forms.CharField(widget=forms.HiddenInput, required=False, max_length=4000)


class SearchForm(forms.Form):
    q = forms.CharField(label="Cari (nomor kasus, nama, NIK, telepon)", required=False, max_length=200)
    region = forms.CharField(label="Wilayah (asal atau penanganan)", required=False, max_length=80)
    status = forms.ChoiceField(label="Status", required=False)
    exploitation = forms.ChoiceField(label="Bentuk eksploitasi", required=False)
    date_from = forms.DateField(label="Identifikasi dari", required=False, widget=DateInput())
    date_to = forms.DateField(label="sampai", required=False, widget=DateInput())
    sort = forms.ChoiceField(label="Urutan", required=False)

    def __init__(self, *args, **kw):
        from .selectors import SORT_LABELS

        super().__init__(*args, **kw)
        self.fields["status"].choices = [("", "Semua"), *CaseStatus.choices]
        self.fields["exploitation"].choices = [("", "Semua"), *choices("exploitation")]
        self.fields["sort"].choices = list(SORT_LABELS.items())


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(label="Status baru", choices=CaseStatus.choices)
    closure_reason = forms.ChoiceField(label="Alasan penutupan", required=False)
    reason = forms.CharField(label="Catatan/alasan", required=False, max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.fields["closure_reason"].choices = _opt("closure_reason")


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label="Tujuan")
    granted = forms.TypedChoiceField(
        label="Keputusan", choices=[("1", "Setuju"), ("0", "Tidak setuju")], coerce=lambda v: v == "1"
    )
    given_by = forms.ChoiceField(label="Diberikan oleh", choices=Consent.GivenBy.choices)
    guardian_relation = forms.CharField(label="Hubungan wali (jika wali)", max_length=60, required=False)
    method = forms.ChoiceField(label="Cara", choices=Consent.Method.choices)
    date = forms.DateField(label="Tanggal", widget=DateInput())

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.fields["purpose"].choices = choices("consent_purpose")


class PerpetratorForm(forms.Form):
    name = forms.CharField(label="Nama/alias (rahasia)", max_length=200, required=False)
    role = forms.CharField(label="Peran (perekrut, sponsor, majikan …)", max_length=60, required=False)
    sex = forms.ChoiceField(label="Jenis kelamin", required=False)
    nationality = forms.CharField(label="Kewarganegaraan", max_length=60, required=False)
    relation = forms.ChoiceField(label="Hubungan dengan korban", required=False)
    organisation_name = forms.CharField(label="Perusahaan/jaringan", max_length=200, required=False)

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.fields["sex"].choices = _opt("sex")
        self.fields["relation"].choices = _opt("recruiter_relation")


class MergeForm(forms.Form):
    target_number = forms.CharField(label="Nomor kasus tujuan (data yang dipertahankan)", max_length=24)
    reason = forms.CharField(label="Alasan", max_length=300)
