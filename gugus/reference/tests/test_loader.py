"""Loading reference data: idempotent, validated before writing, nothing half-loaded."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from gugus.reference import loader
from gugus.reference.loader import POPULATION_SOURCE, ReferenceDataError, load_reference, parse_codelists, parse_regions
from gugus.reference.models import Code, CodeList, Country, Region

pytestmark = pytest.mark.django_db

HEADER = "code,parent,name,kind,population_male,population_female,population_total,area_km2,iso_3166_2,short_name,tile_col,tile_row\n"
GOOD_REGIONS = HEADER + "32,ID,Jawa Barat,provinsi,1,1,2,,,,,\n32.12,32,Kabupaten Indramayu,kabupaten,1,1,2,,,,,\n"


def codelists(extra: str = "") -> str:
    return (
        '[lists.test_new]\nversion = "1"\nname = ["Baru", "New"]\n'
        'codes = [["a", "A", "A", ""], ["b", "B", "B", ""]]\n' + extra
    )


def test_reference_loaded_by_migrate():
    assert Region.objects.filter(level=1).count() == 38
    assert Region.objects.filter(level=2).count() == 514
    assert Region.objects.filter(level=3).count() > 7000
    assert Region.objects.get(pk="32.12").name == "Kabupaten Indramayu"
    assert Region.objects.get(pk="32.12").parent_id == "32"
    assert Code.objects.filter(code_list="org_type", code="safe_house").exists()


def test_population_has_year_and_source():
    r = Region.objects.get(pk="32.12")
    assert r.population_total and r.population_year == 2025 and "Dukcapil" in r.population_source
    assert not Region.objects.filter(level__in=[1, 2], population_total__isnull=True).exists()


def test_second_run_changes_nothing():
    before = {r.code: (r.name, r.population_total) for r in Region.objects.filter(level__lte=2)}
    counts = (Region.objects.count(), Country.objects.count(), CodeList.objects.count(), Code.objects.count())
    report = load_reference()
    assert not report.changed, str(report)
    again = load_reference()
    assert not again.changed
    assert {r.code: (r.name, r.population_total) for r in Region.objects.filter(level__lte=2)} == before
    assert (Region.objects.count(), Country.objects.count(), CodeList.objects.count(), Code.objects.count()) == counts


def test_changed_row_is_repaired_then_stable():
    Region.objects.filter(pk="32.12").update(name="Salah")
    report = load_reference()
    assert report.updated["region"] == 1
    assert Region.objects.get(pk="32.12").name == "Kabupaten Indramayu"
    assert Region.objects.get(pk="32.12").name_key == "indramayu"
    assert not load_reference().changed


def test_population_corrected_by_a_person_is_kept():
    Region.objects.filter(pk="32.12").update(
        population_total=2_000_000, population_year=2026, population_source="BPS 2026"
    )
    assert not load_reference().changed
    r = Region.objects.get(pk="32.12")
    assert (r.population_total, r.population_year, r.population_source) == (2_000_000, 2026, "BPS 2026")
    # The loader's own figures are refreshed when they drift.
    Region.objects.filter(pk="32.01").update(population_total=1)
    load_reference()
    assert Region.objects.get(pk="32.01").population_total > 1
    assert Region.objects.get(pk="32.01").population_source == POPULATION_SOURCE


def test_removed_code_is_retired_not_deleted_and_comes_back():
    Code.objects.create(key="org_type.zz_old", code_list_id="org_type", code="zz_old", label_id="Lama", label_en="Old")
    report = load_reference()
    assert report.updated["code"] == 1
    assert Code.objects.get(pk="org_type.zz_old").active is False
    Code.objects.filter(pk="org_type.safe_house").update(active=False)
    load_reference()
    assert Code.objects.get(pk="org_type.safe_house").active is True


def test_countries_have_indonesian_names():
    assert Country.objects.count() >= 249
    assert Country.objects.get(pk="NL").name_id == "Belanda"
    assert Country.objects.get(pk="JP").name_id == "Jepang"
    assert Country.objects.get(pk="SA").name_id == "Arab Saudi"
    assert Country.objects.get(pk="KH").name_id == "Kamboja"
    assert Country.objects.get(pk="TW").name_id == "Taiwan"
    assert Country.objects.get(pk="MY").alpha3 == "MYS"


# --- bad input: a clear error naming the value, nothing half-loaded ------------------------------


def test_duplicate_code_in_a_code_list_names_it_and_loads_nothing():
    bad = codelists(
        '[lists.test_dup]\nversion = "1"\nname = ["D", "D"]\ncodes = [["x", "X", "X", ""], ["x", "Y", "Y", ""]]\n'
    )
    with pytest.raises(ReferenceDataError, match="'x' ganda") as exc:
        load_reference(codelists_text=bad)
    assert "test_dup" in str(exc.value)
    assert not CodeList.objects.filter(pk__in=["test_new", "test_dup"]).exists()
    assert not Code.objects.filter(code_list__in=["test_new", "test_dup"]).exists()


@pytest.mark.parametrize(
    "text, names",
    [
        ('[lists.t]\nversion = "1"\nname = ["T", "T"]\ncodes = [["Bad Code", "X", "X", ""]]\n', "'Bad Code'"),
        ('[lists.t]\nversion = "1"\nname = ["T", "T"]\ncodes = [["ok", "X", "X"]]\n', "'t', baris 1"),
        ('[lists.t]\nname = ["T", "T"]\ncodes = []\n', "'version'"),
        ("[lists.t\n", "tidak sah"),
    ],
)
def test_bad_code_list_files(text, names):
    with pytest.raises(ReferenceDataError) as exc:
        parse_codelists(text)
    assert names in str(exc.value)


@pytest.mark.parametrize(
    "rows, names",
    [
        ("32.1x,32,Kab X,kabupaten,,,,,,,,\n", "'32.1x'"),
        ("3212,32,Kab X,kabupaten,,,,,,,,\n", "'3212'"),
        ("99.01,99,Kab X,kabupaten,,,,,,,,\n", "induk '99'"),
        ("33.01,32,Kab X,kabupaten,,,,,,,,\n", "'33.01'"),
        ("32.13,32,Kab X,kecamatan,,,,,,,,\n", "'kecamatan'"),
        ("32.13,32,Kab X,negeri,,,,,,,,\n", "'negeri'"),
        ("32.12,32,Lagi,kabupaten,,,,,,,,\n", "'32.12' ganda"),
        ("32.13,32,,kabupaten,,,,,,,,\n", "'32.13' kosong"),
    ],
)
def test_bad_region_files_name_the_value(rows, names):
    with pytest.raises(ReferenceDataError) as exc:
        parse_regions(GOOD_REGIONS + rows)
    assert names in str(exc.value)


def test_bad_region_file_loads_nothing():
    before = Region.objects.count()
    with pytest.raises(ReferenceDataError):
        load_reference(regions_text=GOOD_REGIONS + "99.01,99,Kab X,kabupaten,,,,,,,,\n", codelists_text=codelists())
    assert Region.objects.count() == before
    assert not CodeList.objects.filter(pk="test_new").exists()


def test_failure_during_writing_rolls_everything_back(monkeypatch):
    """Regions are written before countries: a failure at countries must undo the regions too."""
    text = loader.REGIONS_FILE.read_text().replace("32.12,32,Kabupaten Indramayu", "32.12,32,Kabupaten Indramayu Baru")

    def boom():
        raise RuntimeError("disk full")

    monkeypatch.setattr(loader, "country_rows", boom)
    with pytest.raises(RuntimeError):
        load_reference(regions_text=text, codelists_text=codelists())
    assert Region.objects.get(pk="32.12").name == "Kabupaten Indramayu"
    assert not CodeList.objects.filter(pk="test_new").exists()


def test_command_reports_bad_file_and_no_change(monkeypatch, tmp_path):
    out = io.StringIO()
    call_command("load_reference", stdout=out)
    assert "tidak ada perubahan" in out.getvalue()
    bad = tmp_path / "codelists.toml"
    bad.write_text(
        '[lists.t]\nversion = "1"\nname = ["T", "T"]\ncodes = [["dup", "A", "A", ""], ["dup", "B", "B", ""]]\n'
    )
    monkeypatch.setattr(loader, "CODELISTS_FILE", bad)
    with pytest.raises(CommandError, match="'dup' ganda"):
        call_command("load_reference")


# --- desa on demand ---------------------------------------------------------------------------


def test_desa_on_demand_for_one_kabupaten():
    assert not Region.objects.filter(level=4).exists()
    report = load_reference(desa=True, desa_within="32.12")
    desa = Region.objects.filter(level=4)
    assert report.created["region"] == desa.count() > 100
    assert not desa.exclude(code__startswith="32.12.").exists()
    sample = desa.first()
    assert sample.kind == "desa" and sample.parent.level == 3 and sample.parent_id == sample.code.rsplit(".", 1)[0]
    assert not load_reference(desa=True, desa_within="32.12").changed
    # A later load without --desa leaves them alone.
    assert not load_reference().changed
    assert Region.objects.filter(level=4).count() == desa.count()


def test_desa_command_and_bad_within():
    call_command("load_reference", "--desa", "--within", "32.12", stdout=io.StringIO())
    assert Region.objects.filter(level=4, code__startswith="32.12.").exists()
    with pytest.raises(CommandError, match="'99.99'"):
        call_command("load_reference", "--desa", "--within", "99.99")
    with pytest.raises(CommandError, match="--within"):
        call_command("load_reference", "--within", "32.12")
