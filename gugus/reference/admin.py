from django.contrib import admin

from .models import Code, CodeList, Country, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "population_total", "population_year"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "level", "parent"]
    fields = [
        "code", "name", "kind", "level", "parent", "population_male", "population_female",
        "population_total", "population_year", "population_source", "area_km2",
    ]


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["code", "alpha3", "name_id", "name_en"]
    search_fields = ["code", "name_id", "name_en"]


class CodeInline(admin.TabularInline):
    model = Code
    extra = 0
    fields = ["code", "label_id", "label_en", "legal_basis", "sort", "active"]


@admin.register(CodeList)
class CodeListAdmin(admin.ModelAdmin):
    list_display = ["key", "name_id", "version"]
    inlines = [CodeInline]


@admin.register(Code)
class CodeAdmin(admin.ModelAdmin):
    list_display = ["key", "label_id", "label_en", "legal_basis", "active"]
    list_filter = ["code_list", "active"]
    search_fields = ["key", "label_id", "label_en"]
