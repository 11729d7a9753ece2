from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from .selectors import AuditFilter, audit_actions, audit_events_filtered

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label="Tindakan", required=False)
    object_type = forms.CharField(label="Jenis objek", required=False, max_length=60)
    object_id = forms.CharField(label="ID objek", required=False, max_length=64)
    actor = forms.CharField(label="Pelaku (nama pengguna)", required=False, max_length=150)
    since = forms.DateField(label="Dari tanggal", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="Sampai tanggal", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "semua")] + [(a, a) for a in audit_actions()]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "Tanggal akhir tidak boleh sebelum tanggal awal.")
        return data


@login_required
def audit_list(request):
    form = AuditFilterForm(request.GET or None)
    f = AuditFilter()
    if form.is_bound and form.is_valid():
        f = AuditFilter(**{k: v for k, v in form.cleaned_data.items() if v not in (None, "")})
    qs = audit_events_filtered(request.user, f)
    if qs is None:
        raise Http404
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "audit/_rows.html" if request.htmx and request.htmx.target == "audit-rows" else "audit/list.html"
    return render(request, template, {"page": page, "form": form, "query": query.urlencode()})
