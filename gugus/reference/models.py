"""Reference data: the Kemendagri region tree, countries and code lists. Versioned data in the repo."""

from django.db import models
from django.db.models import Q

ROOT_CODE = "ID"


class Region(models.Model):
    class Kind(models.TextChoices):
        COUNTRY = "negara", "Negara"
        PROVINCE = "provinsi", "Provinsi"
        KABUPATEN = "kabupaten", "Kabupaten"
        KOTA = "kota", "Kota"
        KECAMATAN = "kecamatan", "Kecamatan"
        DESA = "desa", "Desa/Kelurahan"

    code = models.CharField("kode", max_length=13, primary_key=True)
    name = models.CharField("nama", max_length=120)
    kind = models.CharField("jenis", max_length=10, choices=Kind.choices)
    level = models.PositiveSmallIntegerField("tingkat")  # 0 country, 1 province, 2 kab/kota, 3 kec, 4 desa
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    name_key = models.CharField(max_length=120, db_index=True, editable=False)
    population_male = models.PositiveIntegerField("penduduk laki-laki", null=True, blank=True)
    population_female = models.PositiveIntegerField("penduduk perempuan", null=True, blank=True)
    population_total = models.PositiveIntegerField("penduduk", null=True, blank=True)
    population_year = models.PositiveSmallIntegerField("tahun data penduduk", null=True, blank=True)
    population_source = models.CharField("sumber data penduduk", max_length=200, blank=True)
    area_km2 = models.DecimalField("luas (km²)", max_digits=12, decimal_places=3, null=True, blank=True)
    iso_3166_2 = models.CharField(max_length=6, blank=True)
    short_name = models.CharField("nama singkat", max_length=40, blank=True)
    tile_col = models.PositiveSmallIntegerField(null=True, blank=True)
    tile_row = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "wilayah"
        verbose_name_plural = "wilayah"
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        return self.name

    @property
    def province_code(self) -> str | None:
        return None if self.code == ROOT_CODE else self.code.split(".")[0]

    def ancestors_codes(self) -> list[str]:
        """Codes from the root down to this region, inclusive."""
        if self.code == ROOT_CODE:
            return [ROOT_CODE]
        parts = self.code.split(".")
        return [ROOT_CODE] + [".".join(parts[: i + 1]) for i in range(len(parts))]

    def is_within(self, ancestor_code: str) -> bool:
        return region_code_within(self.code, ancestor_code)

    def save(self, *args, **kwargs):
        from .regions import name_key

        self.name_key = name_key(self.name)[0]
        super().save(*args, **kwargs)


def region_code_within(code: str | None, ancestor_code: str) -> bool:
    if code is None:
        return False
    return ancestor_code == ROOT_CODE or code == ancestor_code or code.startswith(ancestor_code + ".")


def subtree_q(field: str, code: str) -> Q:
    """A filter for records whose region `field` lies in `code`'s subtree (the region itself included).

    `field` is a region-code column: a CharField (`region_code`, `code`), a foreign key to Region
    named by its column (`region_id`, `case__region_id`) or through the key (`region__code`).
    Subtrees are whole code segments: "3" is not a prefix of "32".

    PostgreSQL answers `LIKE '32.%'` from the pattern-ops index Django creates on character keys.
    SQLite's LIKE never uses an index, and Django has no `startswith` on a foreign key, so there
    the subtree is the byte range ['32.', '32/') ('/' sorts right after '.' in SQLite's binary
    collation; PostgreSQL's linguistic collations may not, hence LIKE there).
    """
    from django.db import connection

    if code == ROOT_CODE:
        return Q(**{f"{field}__isnull": False})
    if connection.vendor == "sqlite":
        return Q(**{field: code}) | Q(**{f"{field}__gte": code + ".", f"{field}__lt": code + "/"})
    like_field = field[:-3] + "__pk" if field.endswith("_id") else field
    return Q(**{field: code}) | Q(**{f"{like_field}__startswith": code + "."})


class Country(models.Model):
    code = models.CharField("kode ISO alpha-2", max_length=2, primary_key=True)
    alpha3 = models.CharField("kode ISO alpha-3", max_length=3, unique=True)
    name_en = models.CharField("nama (Inggris)", max_length=100)
    name_id = models.CharField("nama", max_length=100)

    class Meta:
        verbose_name = "negara"
        verbose_name_plural = "negara"
        ordering = ["name_id"]

    def __str__(self) -> str:
        return self.name_id


class CodeList(models.Model):
    key = models.SlugField("kode daftar", max_length=40, primary_key=True)
    name_id = models.CharField("nama", max_length=120)
    name_en = models.CharField("nama (Inggris)", max_length=120)
    version = models.CharField("versi", max_length=40)

    class Meta:
        verbose_name = "daftar kode"
        verbose_name_plural = "daftar kode"
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name_id


class Code(models.Model):
    """One code of a list. The primary key `list.code` is stable and readable in every table."""

    key = models.CharField(max_length=90, primary_key=True)
    code_list = models.ForeignKey(CodeList, on_delete=models.PROTECT, related_name="codes", verbose_name="daftar")
    code = models.SlugField("kode", max_length=48)
    label_id = models.CharField("label", max_length=160)
    label_en = models.CharField("label (Inggris)", max_length=160)
    legal_basis = models.CharField("dasar hukum", max_length=160, blank=True)
    sort = models.PositiveSmallIntegerField("urutan", default=0)
    active = models.BooleanField("aktif", default=True)

    class Meta:
        verbose_name = "kode"
        verbose_name_plural = "kode"
        ordering = ["code_list", "sort"]
        constraints = [models.UniqueConstraint(fields=["code_list", "code"], name="code_unique_in_list")]

    def __str__(self) -> str:
        return self.label_id

    @property
    def label(self) -> str:
        from django.utils.translation import get_language

        return self.label_en if (get_language() or "id").startswith("en") else self.label_id


def code_key(list_key: str, code: str) -> str:
    return f"{list_key}.{code}"
