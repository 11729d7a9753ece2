"""Demo: one open-data release over the demo cases (suppression, with a DP synthetic file)."""

from __future__ import annotations


def populate(ctx) -> None:
    from .models import Release
    from .services import release_create

    actor = ctx.users.get("gt-nasional")
    if actor is None or Release.objects.filter(is_demo=True).exists():
        ctx.say("data terbuka: rilis demo sudah ada")
        return
    rel = release_create(
        actor=actor,
        method="suppression",
        synthetic_epsilon=4.0,
        title="Rilis data terbuka (DEMO, data sintetis)",
        is_demo=True,
    )
    ctx.say(f"data terbuka: 1 rilis demo ({len(rel.tables)} dataset, tahun {', '.join(map(str, rel.years)) or '-'})")
