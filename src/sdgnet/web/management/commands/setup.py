from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Prepare sdgnet: migrate the database, collect static files, load the default dataset."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-default-data",
            action="store_true",
            help="start an empty network (no default data)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database is up to date.")
        call_command("collectstatic", interactive=False, verbosity=0)
        if options["no_default_data"]:
            self.stdout.write("Skipped the default data (--no-default-data).")
            return
        from sdgnet.web.defaultload import load_default_data

        load_default_data(say=self.stdout.write)
        from sdgnet.scores.actions import do_rescore_all

        for run in do_rescore_all():
            self.stdout.write(
                f"Scores: {run.framework_id} at data version {run.data_version} ({run.duration_ms} ms)"
            )
        from sdgnet.dashboards.prerender import wait

        if done := wait():
            self.stdout.write(
                f"Charts: {done['charts']:.0f} rendered for {done['pages']:.0f} pages "
                f"in {done['seconds']} s"
            )
        self.stdout.write(self.style.SUCCESS("sdgnet is set up."))
