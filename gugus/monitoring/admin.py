"""Django admin for monitoring data (the national secretariat normally uses /monitoring/).
Indicator definitions saved here go through the same definition checks as the UI and API."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from . import indicators as ind
from .models import (
    CompositeIndex,
    ContextSeries,
    ContextValue,
    DataElement,
    IndexComponent,
    Indicator,
    IndicatorTarget,
    MonthClosing,
    ReportingPolicy,
)
from .services import EDITABLE


class IndicatorAdminForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["code", *EDITABLE, "active", "sort"]

    def clean(self):
        data = super().clean()
        current = self.instance if self.instance.pk else None
        try:
            ind.validate_definition(
                {k: v for k, v in data.items() if v is not None or k in ("min_value", "max_value")}, current=current
            )
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, msgs)
        return data


class TargetInline(admin.TabularInline):
    model = IndicatorTarget
    fields = ["year", "region", "value", "note"]
    extra = 0
    raw_id_fields = ["region"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        base_clean = formset.form.clean

        def clean(form):
            data = base_clean(form)
            if obj is not None and data and data.get("year") is not None:
                try:
                    ind.validate_target(obj, data.get("year"), data.get("value"))
                except ValidationError as exc:
                    for field, msgs in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, msgs)
            return data

        formset.form.clean = clean
        return formset


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    form = IndicatorAdminForm
    list_display = ["code", "name_id", "group", "period_type", "direction", "origin", "active"]
    list_filter = ["group", "origin", "active", "period_type"]
    search_fields = ["code", "name_id", "name_en"]
    inlines = [TargetInline]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []


@admin.register(DataElement)
class DataElementAdmin(admin.ModelAdmin):
    list_display = ["code", "name_id", "source", "time_aggregation", "grain", "available"]
    list_filter = ["source", "available"]
    search_fields = ["code", "name_id"]

    def has_add_permission(self, request):
        return False  # defined in code (gugus/monitoring/elements/)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ComponentInline(admin.TabularInline):
    model = IndexComponent
    extra = 0
    fields = [
        "key",
        "indicator",
        "context_series",
        "context_per_100k",
        "years",
        "weight",
        "invert",
        "normalisation",
        "sort",
    ]


@admin.register(CompositeIndex)
class CompositeIndexAdmin(admin.ModelAdmin):
    list_display = ["code", "name_id", "higher_is"]
    inlines = [ComponentInline]


@admin.register(MonthClosing)
class MonthClosingAdmin(admin.ModelAdmin):
    list_display = ["region", "month", "closed_at", "on_time", "no_new_cases", "reopened_at"]
    list_filter = ["on_time", "no_new_cases"]
    search_fields = ["region__code", "region__name"]

    def has_add_permission(self, request):
        return False  # closings go through the service (audited, announced)

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(ReportingPolicy)
admin.site.register(ContextSeries)


@admin.register(ContextValue)
class ContextValueAdmin(admin.ModelAdmin):
    list_display = ["series", "region", "year", "value", "is_demo"]
    list_filter = ["series", "year", "is_demo"]
    raw_id_fields = ["region"]
