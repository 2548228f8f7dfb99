from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sdgnet.scores.actions import do_rescore_all


class Command(BaseCommand):
    help = "Recompute and store the scores of every scored framework from the current data."

    def handle(self, *args: Any, **options: Any) -> None:
        for run in do_rescore_all():
            self.stdout.write(
                f"{run.framework_id}: data version {run.data_version}, "
                f"{run.indicator_scores.count()} indicator scores, {run.duration_ms} ms"
            )
        from sdgnet.dashboards.prerender import wait

        if done := wait():
            self.stdout.write(
                f"Charts: {done['charts']:.0f} rendered for {done['pages']:.0f} pages "
                f"in {done['seconds']} s"
            )
