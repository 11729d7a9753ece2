"""Django admin for reference data (Bahasa Indonesia: LANGUAGE_CODE "id").

Regions, countries and code lists are versioned data in the repository (`gugus/reference/data/`),
loaded by `gugus load_reference`: here they can be browsed. What people maintain as data is the
population of a province or kabupaten/kota (with its year and source): a corrected figure keeps
its own source, and the loader never overwrites it.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin

from .loader import POPULATION_SOURCE
from .models import Code, CodeList, Country, Region

POPULATION_FIELDS = ["population_male", "population_female", "population_total", "population_year", "population_source"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = [*POPULATION_FIELDS, "area_km2"]

    def clean(self):
        data = super().clean()
        errors = {}
        male, female, total = data.get("population_male"), data.get("population_female"), data.get("population_total")
        year, source = data.get("population_year"), (data.get("population_source") or "").strip()
        if male is not None and female is not None and total is not None and male + female != total:
            errors["population_total"] = (
                f"Jumlah penduduk {total} tidak sama dengan laki-laki + perempuan ({male + female})."
            )
        if year is not None and not (1961 <= year <= 2100):
            errors["population_year"] = f"Tahun {year} tidak wajar."
        changed = set(self.changed_data) & {
            "population_male",
            "population_female",
            "population_total",
            "population_year",
        }
        if changed:
            if total is not None and year is None:
                errors["population_year"] = "Tahun data penduduk wajib diisi."
            if total is not None and (not source or source == POPULATION_SOURCE):
                errors["population_source"] = (
                    "Sebutkan sumber data penduduk yang baru (mis. BPS 2026, Dukcapil semester I 2026)."
                )
        if errors:
            raise forms.ValidationError(errors)
        return data


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    form = RegionForm
    list_display = ["code", "name", "kind", "population_total", "population_year", "population_source"]
    list_filter = ["level", "kind", "population_year"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "name", "kind", "level", "parent"]
    fieldsets = (
        (None, {"fields": ["code", "name", "kind", "level", "parent"]}),
        ("Penduduk (data yang dapat dikoreksi)", {"fields": [*POPULATION_FIELDS, "area_km2"]}),
    )
    list_per_page = 100

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Only provinces and kabupaten/kota carry population figures.
        return super().has_change_permission(request, obj) and (obj is None or obj.level in (1, 2))


@admin.register(Country)
class CountryAdmin(ReadOnlyAdmin):
    list_display = ["code", "alpha3", "name_id", "name_en"]
    search_fields = ["code", "alpha3", "name_id", "name_en"]


class CodeInline(admin.TabularInline):
    model = Code
    extra = 0
    fields = ["code", "label_id", "label_en", "legal_basis", "sort", "active"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CodeList)
class CodeListAdmin(ReadOnlyAdmin):
    list_display = ["key", "name_id", "name_en", "version"]
    search_fields = ["key", "name_id", "name_en"]
    inlines = [CodeInline]


@admin.register(Code)
class CodeAdmin(ReadOnlyAdmin):
    list_display = ["key", "label_id", "label_en", "legal_basis", "active"]
    list_filter = ["code_list", "active"]
    search_fields = ["key", "label_id", "label_en"]
