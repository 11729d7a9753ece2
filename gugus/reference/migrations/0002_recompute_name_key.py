"""Region.name_key: a kind word inside a name is now part of it ("Kab. Lima Puluh Kota" ->
"lima puluh kota", was "lima puluh"); recompute the stored keys that changed."""

from django.db import migrations


def recompute(apps, schema_editor):
    from gugus.reference.regions import name_key

    Region = apps.get_model("reference", "Region")
    changed = []
    for region in Region.objects.only("code", "name", "name_key").iterator(chunk_size=5000):
        key = name_key(region.name)[0]
        if key != region.name_key:
            region.name_key = key
            changed.append(region)
    Region.objects.bulk_update(changed, ["name_key"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("reference", "0001_initial")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
