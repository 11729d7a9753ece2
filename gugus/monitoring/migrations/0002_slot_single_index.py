from django.db import migrations


class Migration(migrations.Migration):
    """One index per slot table instead of two (a rebuild builds it after the bulk load). IF EXISTS:
    a rebuild killed before it re-created a slot's indexes leaves that slot without them."""

    dependencies = [
        ("monitoring", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS mon_av_a_elem",
                    "CREATE INDEX IF NOT EXISTS mon_av_a_elem ON monitoring_av_a (element, disagg, period)",
                ),
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS mon_av_b_elem",
                    "CREATE INDEX IF NOT EXISTS mon_av_b_elem ON monitoring_av_b (element, disagg, period)",
                ),
            ],
            state_operations=[
                migrations.RemoveIndex(model_name="analyticsvaluea", name="mon_av_a_elem"),
                migrations.RemoveIndex(model_name="analyticsvalueb", name="mon_av_b_elem"),
            ],
        ),
    ]
