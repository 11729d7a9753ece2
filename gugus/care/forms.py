"""Forms check shape only; meaning is checked by services (their errors are put back on the form)."""

from __future__ import annotations

import time

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from gugus.accounts.models import SHELTER_TYPES, Organisation
from gugus.core.errors import Conflict
from gugus.reference.codes import choices as code_choices

from .models import FollowUpOutcome, LegStatus, LpskProtection, PlanStatus, ReintegrationPlan, RightStatus, Verdict
from .models import ServiceStatus as SS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY_HELP = "Rupiah, mis. 1.500.000"


def _date(label: str, required: bool = False) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DATE)


def _money(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": MONEY_HELP}),
    )


class FastSelect(forms.Select):
    """A <select> rendered in Python: the same HTML as Django's, without a template per option
    (a care page carries a dozen selects of organisations and codes)."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        values = {str(v) for v in (value if isinstance(value, list | tuple) else [value]) if v is not None}
        options = []
        for option_value, option_label in self.choices:
            v = "" if option_value is None else str(option_value)
            options.append(
                format_html(
                    '<option value="{}"{}>{}</option>', v, mark_safe(" selected") if v in values else "", option_label
                )
            )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(attrs), mark_safe("".join(options)))


def _orgs(label: str, required: bool = False, qs=None) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label,
        required=required,
        empty_label="—",
        widget=FastSelect,
        queryset=qs if qs is not None else Organisation.objects.filter(active=True).only("id", "name").order_by("name"),
    )


_CODE_CACHE: dict = {}
CODE_CACHE_SECONDS = 60


def cached_code_choices(list_key: str) -> list[tuple[str, str]]:
    """A code list's choices in the active language, kept a minute (code lists are reference data,
    changed only by `load_reference`)."""
    key = (list_key, get_language() or "id")
    hit = _CODE_CACHE.get(key)
    now = time.monotonic()
    if hit is None or now - hit[0] > CODE_CACHE_SECONDS:
        hit = (now, code_choices(list_key))
        _CODE_CACHE[key] = hit
    return hit[1]


class CodeChoiceField(forms.ChoiceField):
    """Choices from a reference code list, read when the form is built (not at import)."""

    def __init__(self, list_key: str, *args, exclude: tuple[str, ...] = (), blank: str | None = None, **kw):
        self.list_key, self.exclude, self.blank = list_key, exclude, blank
        kw.setdefault("widget", FastSelect)
        super().__init__(*args, choices=self._choices, **kw)

    def _choices(self):
        out = [(c, lbl) for c, lbl in cached_code_choices(self.list_key) if c not in self.exclude]
        return ([("", self.blank)] if self.blank is not None else []) + out


def apply_errors(form: forms.Form, exc: Exception) -> None:
    """Put a service's ValidationError / Conflict back on the form, field by field."""
    if isinstance(exc, Conflict):
        form.add_error(None, exc.message)
        return
    assert isinstance(exc, ValidationError)
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for msg in errors:
                form.add_error(target, msg if target else f"{field}: {msg}" if field != "__all__" else msg)
    else:
        for msg in exc.messages:
            form.add_error(None, msg)


class VersionMixin(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ServiceForm(forms.Form):
    service_type = CodeChoiceField("service_type", label="Jenis layanan", exclude=("shelter",))
    provider_org = _orgs("Organisasi penyedia", required=True)
    status = forms.ChoiceField(label="Status", choices=SS.choices, initial=SS.REQUESTED)
    requested_on = _date("Tanggal permintaan", required=True)
    started_on = _date("Tanggal mulai")
    completed_on = _date("Tanggal selesai")
    outcome = forms.CharField(label="Hasil", required=False, max_length=500)
    cost = _money("Biaya (Rp)")
    funding_source = CodeChoiceField("funding_source", label="Sumber dana", required=False, blank="— belum diketahui —")
    payer_org = _orgs("Instansi pembayar")
    bpjs_claim_refused = forms.BooleanField(label="Klaim BPJS/JKN ditolak", required=False)
    alt_funding_source = CodeChoiceField(
        "funding_source", label="Sumber dana pengganti", required=False, blank="—", exclude=("bpjs_jkn",)
    )
    alt_payer_org = _orgs("Instansi pembayar pengganti")

    def service_kwargs(self) -> dict:
        d = dict(self.cleaned_data)
        d.pop("version", None)
        return d


class ServiceEditForm(ServiceForm, VersionMixin):
    service_type = CodeChoiceField("service_type", label="Jenis layanan")


class AdmitForm(forms.Form):
    shelter = _orgs(
        "Rumah aman / shelter",
        required=True,
        qs=Organisation.objects.filter(active=True, org_type_id__in=[f"org_type.{t}" for t in SHELTER_TYPES])
        .only("id", "name")
        .order_by("name"),
    )
    admitted_on = _date("Tanggal masuk", required=True)
    over_capacity_reason = forms.CharField(label="Alasan bila melebihi kapasitas", required=False, max_length=300)
    cost = _money("Biaya (Rp)")
    funding_source = CodeChoiceField("funding_source", label="Sumber dana", required=False, blank="— belum diketahui —")


class DischargeForm(VersionMixin):
    discharged_on = _date("Tanggal keluar", required=True)
    reason = forms.CharField(label="Alasan/tujuan keluar", required=False, max_length=300)


class LegForm(forms.Form):
    leg_type = CodeChoiceField("repatriation_leg", label="Tahap")
    responsible_org = _orgs("Instansi penanggung jawab", required=True)
    from_region = forms.CharField(
        label="Dari wilayah (kode)",
        required=False,
        max_length=13,
        widget=forms.TextInput(attrs={"placeholder": "mis. 21.71"}),
    )
    from_country = forms.CharField(
        label="Dari negara (kode ISO, mis. MY)",
        required=False,
        max_length=2,
        widget=forms.TextInput(attrs={"list": "care-countries", "placeholder": "MY"}),
    )
    to_region = forms.CharField(
        label="Ke wilayah (kode)",
        required=False,
        max_length=13,
        widget=forms.TextInput(attrs={"placeholder": "mis. 53.71"}),
    )
    to_country = forms.CharField(
        label="Ke negara (kode ISO, mis. MY)",
        required=False,
        max_length=2,
        widget=forms.TextInput(attrs={"list": "care-countries", "placeholder": "TL"}),
    )
    status = forms.ChoiceField(label="Status", choices=LegStatus.choices, initial=LegStatus.PLANNED)
    planned_on = _date("Tanggal rencana")
    departed_on = _date("Tanggal berangkat")
    arrived_on = _date("Tanggal tiba")
    cost = _money("Biaya (Rp)")
    funding_source = CodeChoiceField("funding_source", label="Sumber dana", required=False, blank="— belum diketahui —")
    funder_org = _orgs("Instansi pembiaya")
    medical_condition = forms.BooleanField(label="Kondisi medis/psikologis memerlukan pendamping", required=False)
    escorted = forms.BooleanField(label="Didampingi", required=False)
    escort_org = _orgs("Instansi pendamping")
    note = forms.CharField(label="Catatan", required=False, max_length=300)


class LegEditForm(LegForm, VersionMixin):
    pass


class PlanForm(forms.Form):
    responsible_org = _orgs("Organisasi penanggung jawab", required=True)
    return_on = _date("Tanggal kembali ke keluarga/masyarakat", required=True)
    destination_region = forms.CharField(
        label="Wilayah tujuan (kode)",
        required=False,
        max_length=13,
        widget=forms.TextInput(attrs={"placeholder": "mis. 53.71"}),
    )
    arrangement = forms.ChoiceField(label="Pengaturan tinggal", choices=ReintegrationPlan.Arrangement.choices)
    goals = forms.CharField(label="Tujuan dan rencana", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PlanStatusForm(VersionMixin):
    status = forms.ChoiceField(label="Status rencana", choices=PlanStatus.choices)


class VisitForm(VersionMixin):
    visited_on = _date("Tanggal kunjungan", required=True)
    outcome = forms.ChoiceField(label="Hasil", choices=[("", "—")] + FollowUpOutcome.choices)
    note = forms.CharField(label="Catatan", required=False, max_length=500)


class RightForm(VersionMixin):
    right = CodeChoiceField("right", label="Hak")
    status = forms.ChoiceField(
        label="Status (petugas)", required=False, choices=[("", "— ikuti catatan —")] + RightStatus.choices
    )
    reason = forms.CharField(label="Alasan", required=False, max_length=300)
    applied_on = _date("Tanggal permohonan")
    fulfilled_on = _date("Tanggal terpenuhi")


POLICE_QS = Organisation.objects.filter(
    active=True, org_type_id__in=["org_type.police_unit_ppa", "org_type.police_bareskrim"]
).order_by("name")
LEGAL_QS = Organisation.objects.filter(
    active=True,
    org_type_id__in=["org_type.police_unit_ppa", "org_type.police_bareskrim", "org_type.prosecutor", "org_type.court"],
).order_by("name")


class LegalCaseForm(VersionMixin):
    police_report_number = forms.CharField(label="Nomor laporan polisi", required=False, max_length=80)
    police_report_date = _date("Tanggal laporan polisi")
    police_unit = _orgs("Unit kepolisian", qs=POLICE_QS)
    prosecutor_org = _orgs("Kejaksaan", qs=Organisation.objects.filter(active=True, org_type_id="org_type.prosecutor"))
    court_org = _orgs("Pengadilan", qs=Organisation.objects.filter(active=True, org_type_id="org_type.court"))
    lpsk_protection = forms.ChoiceField(label="Perlindungan LPSK", choices=LpskProtection.choices)
    lpsk_applied_on = _date("Tanggal permohonan LPSK")
    lpsk_decided_on = _date("Tanggal keputusan LPSK")


class LegalEventForm(forms.Form):
    stage = CodeChoiceField("legal_stage", label="Tahap")
    date = _date("Tanggal", required=True)
    organisation = _orgs("Instansi", qs=LEGAL_QS)
    reference_number = forms.CharField(label="Nomor (LP/berkas/putusan)", required=False, max_length=80)
    articles = forms.CharField(
        label="Pasal UU 21/2007",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "mis. Pasal 2 ayat (1), 17"}),
    )
    verdict = forms.ChoiceField(label="Amar putusan", required=False, choices=[("", "—")] + Verdict.choices)
    sentence_months = forms.IntegerField(label="Pidana penjara (bulan)", required=False, min_value=0)
    fine = _money("Denda (Rp)")
    suspects = forms.MultipleChoiceField(
        label="Tersangka/terdakwa (terduga pelaku pada kasus)", required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label="Catatan", required=False, max_length=500)

    def __init__(self, *args, perpetrators=(), **kw):
        super().__init__(*args, **kw)
        # Labelled by role and order only: names are personal data and stay out of lists.
        self.fields["suspects"].choices = [
            (str(p.pk), f"Terduga pelaku {i}" + (f" ({p.role})" if p.role else ""))
            for i, p in enumerate(perpetrators, start=1)
        ]


class RestitutionForm(VersionMixin):
    status = CodeChoiceField(
        "restitution_status",
        label="Status",
        required=False,
        blank="— otomatis —",
        exclude=("paid_partial", "paid_full"),
    )
    requested_on = _date("Tanggal permohonan")
    requested_amount = _money("Jumlah diminta (Rp)")
    lpsk_assessed_on = _date("Tanggal penilaian LPSK")
    lpsk_assessed_amount = _money("Jumlah penilaian LPSK (Rp)")
    ordered_on = _date("Tanggal putusan/penetapan")
    ordered_amount = _money("Jumlah diputus (Rp)")


class PaymentForm(forms.Form):
    paid_on = _date("Tanggal bayar", required=True)
    amount = _money("Jumlah (Rp)")
    note = forms.CharField(label="Catatan", required=False, max_length=300)

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.fields["amount"].required = True
