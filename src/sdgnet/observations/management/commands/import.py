from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sdgnet.catalog.models import Framework
from sdgnet.observations.actions import ImportReport, do_import_observations

MAX_PROBLEMS_SHOWN = 200


class Command(BaseCommand):
    help = (
        "Import observations from a CSV (long or wide), Excel .xlsx, JSON-stat 2.0 or Open SDG CSV "
        "file. Every row is checked first; if any row is bad, nothing is written. What it reports "
        "(notes, problems, counts) is in bokmål, the interface's default language, unless "
        "--language en asks for English."
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
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="the language of the report (default: %(default)s, as the pages)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Always the chosen language, never whatever happens to be active: the output is
        # the same from the shell and from call_command.
        with translation.override(options["language"]):
            self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("%(file)s: no such file") % {"file": path})
        framework = None
        if options["framework"]:
            framework = Framework.objects.filter(slug=options["framework"]).first()
            if framework is None:
                known = ", ".join(Framework.objects.values_list("slug", flat=True)) or "-"
                raise CommandError(
                    _("unknown framework %(framework)s (known: %(known)s)")
                    % {"framework": repr(options["framework"]), "known": known}
                )
        report = do_import_observations(
            path,
            source=options["source"] or path.name,
            framework=framework,
            default_indicator=options["indicator"],
            dry_run=options["dry_run"],
            progress=True,
        )
        name = path.name
        for note in report.notes:
            self.stdout.write(_("%(file)s: note: %(note)s") % {"file": name, "note": note})
        if report.rows_dropped:
            self.stdout.write(
                ngettext(
                    "%(file)s: %(count)s missing value under a municipality number not in use "
                    "that year was left out (nothing to store)",
                    "%(file)s: %(count)s missing values under municipality numbers not in use "
                    "that year were left out (nothing to store)",
                    report.rows_dropped,
                )
                % {"file": name, "count": report.rows_dropped}
            )
        if not report.ok:
            self._refuse(name, report)
        self.stdout.write(_summary(name, report))
        if report.dry_run:
            self.stdout.write(_("Dry run: nothing was written."))

    def _refuse(self, name: str, report: ImportReport) -> None:
        for problem in report.problems[:MAX_PROBLEMS_SHOWN]:
            if problem.line is not None:
                where = _("line %(line)s") % {"line": problem.line}
            else:
                where = _("file")
            if problem.column:
                where = _("%(where)s, column %(column)s") % {
                    "where": where,
                    "column": problem.column_label,
                }
            self.stderr.write(f"{name}: {where}: {problem.message}")
        hidden = len(report.problems) - MAX_PROBLEMS_SHOWN
        if hidden > 0:
            self.stderr.write(_("... and %(count)s more problems") % {"count": hidden})
        raise CommandError(
            ngettext(
                "%(file)s was refused: %(count)s problem; nothing was written.",
                "%(file)s was refused: %(count)s problems; nothing was written.",
                len(report.problems),
            )
            % {"file": name, "count": len(report.problems)}
        )


def _summary(name: str, report: ImportReport) -> str:
    """ "population.csv (csv-long): 2 rows valid; wrote 2 new, 0 changed (…), 0 unchanged."""
    valid = ngettext("%(count)s row valid", "%(count)s rows valid", report.rows_valid) % {
        "count": report.rows_valid
    }
    if report.rows_mapped:
        valid += ", " + (
            ngettext(
                "%(count)s moved from an old municipality number",
                "%(count)s moved from old municipality numbers",
                report.rows_mapped,
            )
            % {"count": report.rows_mapped}
        )
    counts = {"created": report.created, "changed": report.changed, "unchanged": report.unchanged}
    if report.dry_run:
        written = (
            _(
                "would write %(created)s new, %(changed)s changed (earlier values kept as "
                "revisions), %(unchanged)s unchanged."
            )
            % counts
        )
    else:
        written = (
            _(
                "wrote %(created)s new, %(changed)s changed (earlier values kept as revisions), "
                "%(unchanged)s unchanged."
            )
            % counts
        )
    return _("%(file)s (%(format)s): %(valid)s; %(written)s") % {
        "file": name,
        "format": report.file_format,
        "valid": valid,
        "written": written,
    }
