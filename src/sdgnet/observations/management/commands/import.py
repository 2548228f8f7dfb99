from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sdgnet.catalog.models import Framework
from sdgnet.observations.actions import do_import_observations

MAX_PROBLEMS_SHOWN = 200


class Command(BaseCommand):
    help = (
        "Import observations from a CSV (long or wide), Excel .xlsx, JSON-stat 2.0 or Open SDG CSV "
        "file. Every row is checked first; if any row is bad, nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--framework", help="framework slug the indicators must belong to")
        parser.add_argument("--indicator", help="indicator id for files that do not name one")
        parser.add_argument(
            "--source", default="", help="where the data come from (kept with every value)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        framework = None
        if options["framework"]:
            framework = Framework.objects.filter(slug=options["framework"]).first()
            if framework is None:
                known = ", ".join(Framework.objects.values_list("slug", flat=True)) or "none"
                raise CommandError(f"unknown framework {options['framework']!r} (known: {known})")
        report = do_import_observations(
            path,
            source=options["source"] or path.name,
            framework=framework,
            default_indicator=options["indicator"],
            dry_run=options["dry_run"],
            progress=True,
        )
        for note in report.notes:
            self.stdout.write(f"{path.name}: note: {note}")
        if report.rows_dropped:
            self.stdout.write(
                f"{path.name}: {report.rows_dropped} missing values under municipality numbers "
                "not in use that year were left out (nothing to store)"
            )
        if not report.ok:
            for problem in report.problems[:MAX_PROBLEMS_SHOWN]:
                where = f"line {problem.line}" if problem.line is not None else "file"
                if problem.column:
                    where += f", column {problem.column}"
                self.stderr.write(f"{path.name}: {where}: {problem.message}")
            hidden = len(report.problems) - MAX_PROBLEMS_SHOWN
            if hidden > 0:
                self.stderr.write(f"... and {hidden} more problems")
            raise CommandError(
                f"{path.name} was refused: {len(report.problems)} problem(s); nothing was written."
            )
        verb = "would write" if report.dry_run else "wrote"
        self.stdout.write(
            f"{path.name} ({report.file_format}): {report.rows_valid} rows valid"
            f"{f', {report.rows_mapped} moved from old municipality numbers' if report.rows_mapped else ''}; "
            f"{verb} {report.created} new, {report.changed} changed (earlier values kept as revisions), "
            f"{report.unchanged} unchanged."
        )
        if report.dry_run:
            self.stdout.write("Dry run: nothing was written.")
