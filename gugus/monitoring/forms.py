"""Forms check shape only; services check meaning (gugus/monitoring/services.py)."""

from __future__ import annotations

from django import forms

from .models import Indicator
from .periods import KIND_LABELS


class IndicatorForm(forms.Form):
    code = forms.SlugField(label="Kode", max_length=60, help_text="huruf kecil, angka, garis bawah; tidak dapat diubah")
    name_id = forms.CharField(label="Nama", max_length=200)
    name_en = forms.CharField(label="Nama (Inggris)", max_length=200, required=False)
    definition = forms.CharField(label="Definisi", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    group = forms.CharField(label="Kelompok", max_length=40, required=False)
    numerator = forms.CharField(
        label="Pembilang (rumus)",
        max_length=500,
        help_text="kode elemen data, mis. cases_served[spm:health] atau victims_identified",
    )
    numerator_label = forms.CharField(label="Keterangan pembilang", max_length=200, required=False)
    denominator = forms.CharField(label="Penyebut (rumus)", max_length=500, required=False, initial="1")
    denominator_label = forms.CharField(label="Keterangan penyebut", max_length=200, required=False)
    factor = forms.DecimalField(label="Faktor", initial=100, help_text="100 = persen; 100000 = per 100.000 penduduk")
    unit_label = forms.CharField(label="Satuan", max_length=40, required=False, initial="%")
    period_type = forms.ChoiceField(label="Jenis periode", choices=list(KIND_LABELS.items()), initial="year")
    direction = forms.ChoiceField(label="Arah", choices=Indicator.Direction.choices, initial="higher")
    min_value = forms.DecimalField(label="Nilai minimum", required=False)
    max_value = forms.DecimalField(label="Nilai maksimum", required=False)
    decimals = forms.IntegerField(label="Desimal", min_value=0, max_value=4, initial=1)
    legal_basis = forms.CharField(label="Dasar hukum", max_length=200, required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields.pop("code")
            self.fields["active"] = forms.BooleanField(label="Aktif", required=False)


class TargetForm(forms.Form):
    year = forms.IntegerField(label="Tahun", min_value=2000, max_value=2100)
    value = forms.DecimalField(label="Target (kosongkan untuk menghapus)", required=False)
    region = forms.CharField(label="Wilayah (kosong = nasional)", max_length=13, required=False)
    note = forms.CharField(label="Catatan/sumber", max_length=200, required=False)


class ClosingForm(forms.Form):
    region = forms.CharField(label="Kabupaten/kota", max_length=13)
    month = forms.CharField(label="Bulan", max_length=7, help_text="contoh: 2026-10")
    note = forms.CharField(label="Catatan", max_length=300, required=False)
    no_new_cases = forms.BooleanField(label="Nihil: tidak ada kasus baru", required=False)


class ReopenForm(forms.Form):
    reason = forms.CharField(label="Alasan membuka kembali", max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ContextImportForm(forms.Form):
    series = forms.CharField(label="Seri", max_length=60)
    file = forms.FileField(label="Berkas CSV (kolom: region,year,value)")
    source_note = forms.CharField(label="Sumber", max_length=200, required=False)


class PolicyForm(forms.Form):
    closing_due_day = forms.IntegerField(label="Batas penutupan (tanggal bulan berikutnya)", min_value=1, max_value=28)
    closing_start = forms.CharField(label="Bulan pertama yang wajib ditutup", max_length=7)
    warning_element = forms.CharField(label="Elemen peringatan dini", max_length=60)
    warning_window = forms.IntegerField(label="Jendela (bulan)", min_value=3, max_value=36)
    warning_sd = forms.DecimalField(label="Ambang (× simpangan baku)", min_value=0.5, max_value=5)
    warning_min_count = forms.IntegerField(label="Jumlah minimum", min_value=1, max_value=1000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
