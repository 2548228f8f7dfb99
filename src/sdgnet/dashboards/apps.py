from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_save


class DashboardsConfig(AppConfig):
    name = "sdgnet.dashboards"
    verbose_name = "Dashboards"

    def ready(self) -> None:
        from sdgnet.dashboards.prerender import on_score_run_saved
        from sdgnet.scores.models import ScoreRun

        # Charts are rendered once a rescore commits, not by the first visitor.
        post_save.connect(on_score_run_saved, sender=ScoreRun, dispatch_uid="prerender-charts")
