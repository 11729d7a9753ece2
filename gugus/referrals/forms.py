"""Forms check shape only; services check meaning."""

from __future__ import annotations

from django import forms

from gugus.accounts.models import Organisation
from gugus.reference.models import Code, Region

from .models import ActionStatus, Kind
from .selectors import receiver_orgs_for


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        where = f"{obj.country.name_id}" if obj.is_abroad else (obj.region.name if obj.region_id else "")
        return f"{obj.name} — {obj.org_type.label_id}, {where}"


class ReferralForm(forms.Form):
    kind = forms.ChoiceField(label="Jenis", choices=Kind.choices, initial=Kind.REFERRAL)
    service_type = forms.ModelChoiceField(
        label="Layanan yang dirujuk",
        required=False,
        to_field_name="code",
        queryset=Code.objects.filter(code_list_id="service_type", active=True).order_by("sort"),
        help_text="Wajib untuk rujukan; daftar organisasi tujuan menyesuaikan. Mediasi tidak untuk tindak pidana TPPO.",
    )
    to_org = OrgChoiceField(label="Organisasi tujuan", queryset=Organisation.objects.none())
    reason = forms.CharField(
        label="Alasan / kebutuhan (tanpa identitas korban)", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    due_date = forms.DateField(label="Batas waktu", widget=forms.DateInput(attrs={"type": "date"}))
    consent_override_reason = forms.CharField(
        label="Alasan tertulis tanpa persetujuan korban (hanya supervisor)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    from_org = forms.ModelChoiceField(label="Atas nama", queryset=Organisation.objects.none(), required=False)

    def __init__(self, *args, sender_orgs=(), case=None, options_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            # Any active organisation: the service explains why a choice cannot receive the hand-over.
            self.fields["to_org"].queryset = receiver_orgs_for(None)
        else:
            kind = self.initial.get("kind") or Kind.REFERRAL
            self.fields["to_org"].queryset = receiver_orgs_for(
                case, kind=kind, service_code=self.initial.get("service_type"), exclude=[o.pk for o in sender_orgs]
            )
        if options_url:
            # Choosing the kind or the service narrows the list of receivers (htmx).
            attrs = {
                "hx-get": options_url,
                "hx-target": "#id_to_org",
                "hx-trigger": "change",
                "hx-include": "closest form",
                "hx-swap": "innerHTML",
            }
            self.fields["kind"].widget.attrs.update(attrs)
            self.fields["service_type"].widget.attrs.update(attrs)
        self.fields["from_org"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in sender_orgs])
        if len(sender_orgs) <= 1:
            self.fields["from_org"].widget = forms.HiddenInput()


class DecisionForm(forms.Form):
    note = forms.CharField(label="Catatan", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Alasan", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())


class MeetingForm(forms.Form):
    region = forms.ModelChoiceField(label="Wilayah gugus tugas", queryset=Region.objects.filter(level__lte=2))
    date = forms.DateField(label="Tanggal", widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label="Judul / agenda", max_length=200)
    participants = forms.ModelMultipleChoiceField(
        label="Organisasi peserta",
        queryset=Organisation.objects.filter(active=True).order_by("name"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    decisions = forms.CharField(
        label="Keputusan (tanpa identitas korban)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    notes = forms.CharField(label="Catatan", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())


class ActionItemForm(forms.Form):
    description = forms.CharField(label="Tindak lanjut", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    owner_org = forms.ModelChoiceField(label="Penanggung jawab", queryset=Organisation.objects.none())
    deadline = forms.DateField(label="Tenggat", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        if meeting is not None:
            self.fields["owner_org"].queryset = meeting.participants.order_by("name")


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices)
    note = forms.CharField(label="Catatan", required=False, max_length=500)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())
