"""Forms of the registry UI. They check shape only (types, formats); services check meaning.
Each form's `to_service()` gives the keyword arguments of its service function."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms

from gugus.accounts.models import Organisation
from gugus.reference.codes import choices as code_choices

from .models import REACH_FIELDS, Audience, RadStatus, RegulationStatus, TaskForceStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_THOUSANDS_DOT = re.compile(r"^\d{1,3}(\.\d{3})+$")
_THOUSANDS_COMMA = re.compile(r"^\d{1,3}(,\d{3})+$")


def parse_rupiah(text: str) -> Decimal:
    """'Rp150.000.000', '150.000.000,50', '150000000.5', '1,500,000' -> Decimal. Indonesian
    writing uses '.' for thousands and ',' for decimals; a plain number with one '.' followed by
    one or two digits is read as a decimal point (machine style). Raises ValueError."""
    s = (text or "").strip()
    s = re.sub(r"(?i)^rp\.?", "", s).strip().replace(" ", "").replace("\u00a0", "")
    if s.endswith(",-"):
        s = s[:-2]
    if not s or not re.fullmatch(r"[\d.,]+", s):
        raise ValueError("bukan angka")
    if "." in s and "," in s:
        if s.rfind(",") > s.rfind("."):  # 1.500.000,50
            whole, _, frac = s.rpartition(",")
            if not _THOUSANDS_DOT.match(whole) and not whole.isdigit():
                raise ValueError("pemisah ribuan tidak teratur")
            s = whole.replace(".", "") + "." + frac
        else:  # 1,500,000.50
            whole, _, frac = s.rpartition(".")
            if not _THOUSANDS_COMMA.match(whole) and not whole.isdigit():
                raise ValueError("pemisah ribuan tidak teratur")
            s = whole.replace(",", "") + "." + frac
    elif "." in s:
        if _THOUSANDS_DOT.match(s):
            s = s.replace(".", "")
        elif not re.fullmatch(r"\d+\.\d{1,2}", s):
            raise ValueError("pemisah tidak teratur")
    elif "," in s:
        if _THOUSANDS_COMMA.match(s):
            s = s.replace(",", "")
        elif re.fullmatch(r"\d+,\d{1,2}", s):
            s = s.replace(",", ".")
        else:
            raise ValueError("pemisah tidak teratur")
    try:
        return Decimal(s)
    except InvalidOperation:
        raise ValueError("bukan angka")


def format_rupiah(value: Decimal | None) -> str:
    if value is None:
        return ""
    q = Decimal(value).quantize(Decimal("0.01"))
    whole, _, cents = f"{q:,.2f}".partition(".")
    whole = whole.replace(",", ".")
    return whole if cents == "00" else f"{whole},{cents}"


class RupiahField(forms.CharField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("maxlength", "40")
        self.widget.attrs.setdefault("inputmode", "decimal")
        self.widget.attrs.setdefault("placeholder", "mis. 150.000.000")

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format_rupiah(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if len(value) > 40:
            raise forms.ValidationError("Terlalu panjang untuk angka rupiah.")
        try:
            return parse_rupiah(value)
        except ValueError:
            raise forms.ValidationError("Tulis angka rupiah, mis. 150.000.000 atau 150.000.000,50.")


def _org_field(label: str, queryset=None, required: bool = False) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Organisation.objects.none() if queryset is None else queryset,
        required=required,
        label=label,
        empty_label="— pilih —",
    )


def _code_field(list_key: str, label: str, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, required=required, choices=lambda: [("", "— pilih —"), *code_choices(list_key)]
    )


def _pk(obj):
    return str(obj.pk) if obj is not None else None


class OrgChoicesMixin:
    org_fields: tuple[str, ...] = ()

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.org_fields:
            if name in self.fields and organisations is not None:
                self.fields[name].queryset = organisations


class VersionedForm(OrgChoicesMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def expected_version(self):
        return self.cleaned_data.get("version")


# ---------------------------------------------------------------------------------------------


class TaskForceCreateForm(OrgChoicesMixin, forms.Form):
    org_fields = ("secretariat",)
    name = forms.CharField(label="Nama gugus tugas (kosongkan untuk nama baku)", required=False, max_length=200)
    decree_number = forms.CharField(label="Nomor SK pembentukan", max_length=120)
    decree_date = forms.DateField(label="Tanggal SK", widget=DATE)
    signed_by = forms.CharField(
        label="Ditandatangani oleh (jabatan)",
        max_length=160,
        widget=forms.TextInput(attrs={"placeholder": "mis. Bupati Indramayu"}),
    )
    decree_title = forms.CharField(label="Judul SK", required=False, max_length=300)
    chair = forms.CharField(
        label="Ketua (jabatan)", max_length=200, widget=forms.TextInput(attrs={"placeholder": "mis. Wakil Bupati"})
    )
    secretariat = _org_field("Sekretariat", queryset=None)
    note = forms.CharField(label="Catatan", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def to_service(self):
        d = dict(self.cleaned_data)
        d["secretariat_id"] = _pk(d.pop("secretariat"))
        return d


class DecreeForm(VersionedForm):
    org_fields = ("secretariat",)
    number = forms.CharField(label="Nomor SK", max_length=120)
    date = forms.DateField(label="Tanggal SK", widget=DATE)
    signed_by = forms.CharField(label="Ditandatangani oleh (jabatan)", max_length=160)
    title = forms.CharField(label="Judul SK", required=False, max_length=300)
    chair = forms.CharField(label="Ketua (jabatan)", max_length=200)
    secretariat = _org_field("Sekretariat", queryset=None)

    def to_service(self):
        d = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        d["secretariat_id"] = _pk(d.pop("secretariat"))
        return d


class DecreeRenewForm(DecreeForm):
    copy_members = forms.BooleanField(label="Salin anggota dari SK sebelumnya", required=False, initial=True)

    def to_service(self):
        d = super().to_service()
        if not d.pop("copy_members"):
            d["members"] = []
        return d


class MemberForm(OrgChoicesMixin, forms.Form):
    org_fields = ("organisation",)
    organisation = _org_field("Organisasi anggota", queryset=None, required=True)
    sub_gt = _code_field("sub_gt", "Sub gugus tugas")
    is_lead = forms.BooleanField(label="Koordinator sub gugus tugas", required=False)

    def to_service(self):
        return {
            "organisation_id": _pk(self.cleaned_data["organisation"]),
            "sub_gt": self.cleaned_data["sub_gt"],
            "is_lead": self.cleaned_data["is_lead"],
        }


class TaskForceEditForm(VersionedForm):
    name = forms.CharField(label="Nama gugus tugas", max_length=200)
    note = forms.CharField(label="Catatan", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def to_service(self):
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class TaskForceStatusForm(VersionedForm):
    status = forms.ChoiceField(label="Status baru", choices=TaskForceStatus.choices)
    date = forms.DateField(label="Sejak tanggal", widget=DATE)
    note = forms.CharField(label="Catatan / dasar", required=False, max_length=300)

    def to_service(self):
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class PlanForm(VersionedForm):
    org_fields = ("renstra_agencies",)
    title = forms.CharField(label="Judul RAD", max_length=300)
    period_start = forms.IntegerField(label="Tahun mulai")
    period_end = forms.IntegerField(label="Tahun akhir")
    status = forms.ChoiceField(label="Status", choices=RadStatus.choices, initial=RadStatus.DRAFTING)
    legal_basis = forms.CharField(label="Dasar hukum (mis. Pergub No. … Tahun …)", required=False, max_length=300)
    enacted_on = forms.DateField(label="Tanggal penetapan", required=False, widget=DATE)
    in_rpjmd = forms.BooleanField(label="TPPO tercantum dalam RPJMD", required=False)
    rpjmd_note = forms.CharField(label="Keterangan RPJMD", required=False, max_length=300)
    in_renstra_skpd = forms.BooleanField(label="TPPO tercantum dalam Renstra SKPD", required=False)
    renstra_agencies = forms.ModelMultipleChoiceField(
        label="Perangkat daerah yang Renstra-nya memuat TPPO", queryset=Organisation.objects.none(), required=False
    )
    note = forms.CharField(label="Catatan", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def to_service(self):
        d = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        d["renstra_agency_ids"] = [str(o.pk) for o in d.pop("renstra_agencies") or []]
        return d


class ActivityForm(VersionedForm):
    org_fields = ("responsible",)
    name = forms.CharField(label="Kegiatan", max_length=300)
    sub_gt = _code_field("sub_gt", "Sub gugus tugas", required=False)
    indicator = forms.CharField(label="Indikator", required=False, max_length=300)
    unit = forms.CharField(label="Satuan", required=False, max_length=60)
    responsible = forms.ModelMultipleChoiceField(
        label="Penanggung jawab", queryset=Organisation.objects.none(), required=False
    )

    def to_service(self):
        d = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        d["responsible_ids"] = [str(o.pk) for o in d.pop("responsible") or []]
        d["sub_gt"] = d["sub_gt"] or None
        return d


class ActivityYearForm(VersionedForm):
    year = forms.IntegerField(label="Tahun")
    target = forms.DecimalField(label="Target", required=False, max_digits=16, decimal_places=2)
    realisation = forms.DecimalField(label="Realisasi", required=False, max_digits=16, decimal_places=2)
    note = forms.CharField(label="Catatan", required=False, max_length=300)

    def to_service(self):
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class BudgetForm(VersionedForm):
    org_fields = ("agency",)
    year = forms.IntegerField(label="Tahun anggaran")
    source = _code_field("budget_source", "Sumber dana")
    programme = _code_field("budget_programme", "Program")
    agency = _org_field("Perangkat daerah / instansi", queryset=None)
    allocated = RupiahField(label="Pagu (Rp)")
    realised = RupiahField(label="Realisasi (Rp)", required=False)
    note = forms.CharField(
        label="Catatan (wajib bila realisasi melebihi pagu)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def to_service(self):
        d = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        d["agency_id"] = _pk(d.pop("agency"))
        return d


class UnitProfileForm(VersionedForm):
    beds = forms.IntegerField(label="Tempat tidur", required=False, min_value=0)
    beds_children = forms.IntegerField(label="Tempat tidur khusus anak", required=False, min_value=0)
    counselling_room = forms.BooleanField(label="Ruang konseling", required=False)
    medical_room = forms.BooleanField(label="Ruang medis", required=False)
    child_friendly_room = forms.BooleanField(label="Ruang ramah anak", required=False)
    disability_access = forms.BooleanField(label="Akses disabilitas", required=False)
    open_24h = forms.BooleanField(label="Layanan 24 jam", required=False)
    vehicle = forms.BooleanField(label="Kendaraan operasional", required=False)
    facilities_note = forms.CharField(label="Fasilitas lain", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    as_of = forms.DateField(label="Data per tanggal", widget=DATE)

    def to_service(self):
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class StaffCountForm(VersionedForm):
    year = forms.IntegerField(label="Tahun")
    function = _code_field("staff_function", "Fungsi")
    total = forms.IntegerField(label="Jumlah staf", min_value=0)
    trained = forms.IntegerField(label="Di antaranya terlatih TPPO", min_value=0)

    def to_service(self):
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class TrainingForm(VersionedForm):
    org_fields = ("organiser",)
    title = forms.CharField(label="Judul pelatihan", max_length=300)
    topic = _code_field("training_topic", "Topik")
    start_date = forms.DateField(label="Tanggal mulai", widget=DATE)
    end_date = forms.DateField(label="Tanggal selesai", required=False, widget=DATE)
    organiser = _org_field("Penyelenggara", queryset=None)
    organiser_name = forms.CharField(label="…atau nama penyelenggara lain", required=False, max_length=200)
    note = forms.CharField(label="Catatan", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def to_service(self):
        d = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        d["organiser_id"] = _pk(d.pop("organiser"))
        return d


class ParticipantForm(forms.Form):
    agency_type = _code_field("org_type", "Jenis instansi", required=False)
    female = forms.IntegerField(label="Perempuan", required=False, min_value=0)
    male = forms.IntegerField(label="Laki-laki", required=False, min_value=0)


ParticipantFormSet = forms.formset_factory(ParticipantForm, extra=4, max_num=30, absolute_max=30)


def participants_from(formset) -> list[dict]:
    rows = []
    for f in formset.forms:
        d = f.cleaned_data if hasattr(f, "cleaned_data") else {}
        if d.get("agency_type") and ((d.get("female") or 0) + (d.get("male") or 0)):
            rows.append({"agency_type": d["agency_type"], "female": d.get("female") or 0, "male": d.get("male") or 0})
    return rows


class RegulationForm(VersionedForm):
    reg_type = _code_field("regulation_type", "Jenis")
    number = forms.CharField(label="Nomor", max_length=60)
    year = forms.IntegerField(label="Tahun")
    title = forms.CharField(label="Judul", max_length=400)
    status = forms.ChoiceField(label="Status", choices=RegulationStatus.choices, initial=RegulationStatus.ENACTED)
    note = forms.CharField(label="Catatan", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def to_service(self):
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class PreventionForm(VersionedForm):
    org_fields = ("organiser",)
    date = forms.DateField(label="Tanggal", widget=DATE)
    kind = _code_field("prevention_kind", "Jenis kegiatan")
    title = forms.CharField(label="Judul", max_length=300)
    audience = forms.ChoiceField(label="Sasaran", choices=[("", "— pilih —"), *Audience.choices])
    audience_note = forms.CharField(label="Keterangan sasaran", required=False, max_length=200)
    organiser = _org_field("Penyelenggara", queryset=None)
    organiser_name = forms.CharField(label="…atau nama penyelenggara lain", required=False, max_length=200)
    female_0_17 = forms.IntegerField(label="Perempuan 0–17", required=False, min_value=0)
    female_18_24 = forms.IntegerField(label="Perempuan 18–24", required=False, min_value=0)
    female_25_59 = forms.IntegerField(label="Perempuan 25–59", required=False, min_value=0)
    female_60 = forms.IntegerField(label="Perempuan 60+", required=False, min_value=0)
    male_0_17 = forms.IntegerField(label="Laki-laki 0–17", required=False, min_value=0)
    male_18_24 = forms.IntegerField(label="Laki-laki 18–24", required=False, min_value=0)
    male_25_59 = forms.IntegerField(label="Laki-laki 25–59", required=False, min_value=0)
    male_60 = forms.IntegerField(label="Laki-laki 60+", required=False, min_value=0)
    media_audience = forms.IntegerField(
        label="Perkiraan khalayak media massa (tidak terpilah)", required=False, min_value=0
    )
    note = forms.CharField(label="Catatan", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def to_service(self):
        d = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        d["organiser_id"] = _pk(d.pop("organiser"))
        for f in REACH_FIELDS:
            d[f] = d.get(f) or 0
        return d


class PracticeForm(VersionedForm):
    org_fields = ("organisation",)
    title = forms.CharField(label="Judul", max_length=300)
    what = forms.CharField(label="Apa yang dilakukan", widget=forms.Textarea(attrs={"rows": 4}))
    organisation = _org_field("Pelaksana (organisasi)", queryset=None)
    who = forms.CharField(label="Pelaksana (uraian)", required=False, max_length=300)
    evidence = forms.CharField(label="Bukti hasil", widget=forms.Textarea(attrs={"rows": 3}))
    evidence_url = forms.CharField(label="Tautan bukti", required=False, max_length=200)
    started_year = forms.IntegerField(label="Tahun mulai", required=False)

    def to_service(self):
        d = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        d["organisation_id"] = _pk(d.pop("organisation"))
        return d


class ReplicationForm(forms.Form):
    region = forms.CharField(label="Wilayah yang mereplikasi (nama atau kode)", max_length=120)
    year = forms.IntegerField(label="Tahun")
    note = forms.CharField(label="Catatan", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_region(self):
        from gugus.reference.regions import RegionLookupError, resolve_region_code

        try:
            return resolve_region_code(self.cleaned_data["region"], levels=(1, 2))
        except RegionLookupError as exc:
            raise forms.ValidationError(str(exc))

    def to_service(self):
        return {
            "region_code": self.cleaned_data["region"],
            "year": self.cleaned_data["year"],
            "note": self.cleaned_data["note"],
        }
