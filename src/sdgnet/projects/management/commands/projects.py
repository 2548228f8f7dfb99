from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sdgnet.projects.actions import (
    LibraryError,
    do_import_library,
    export_library,
    read_library_file,
)
from sdgnet.web.command_options import language_in, whole_number


def _add_language(parser: CommandParser, what: str) -> None:
    parser.add_argument(
        "--language",
        choices=[code for code, _name in settings.LANGUAGES],
        default=settings.LANGUAGE_CODE,
        help=f"the language of {what} (default: %(default)s, as the pages)",
    )


class Command(BaseCommand):
    help = (
        "The library: `projects import FILE.json`, `projects export --out FILE.json`, "
        '`projects search "QUERY" [--limit N] [--json] [--as EMAIL]`, `projects reindex`, '
        "`projects seed`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="insert or update projects and methods by key")
        imp.add_argument("file", type=Path)
        _add_language(imp, "the report and a refused file's problems")
        exp = sub.add_parser("export", help="write projects and methods as JSON")
        exp.add_argument("--out", type=Path, required=True)
        exp.add_argument("--as", dest="as_user", help="export what this user may see")
        _add_language(exp, "the report")
        find = sub.add_parser("search", help="search the library as an anonymous visitor")
        find.add_argument("query")
        find.add_argument("--limit", type=whole_number(1), default=10)
        find.add_argument("--json", action="store_true")
        find.add_argument("--as", dest="as_user", help="search as the user with this e-mail")
        _add_language(find, "what is said besides the results")
        reindex = sub.add_parser("reindex", help="rebuild the search index from the database")
        _add_language(reindex, "the progress and the report")
        seed = sub.add_parser("seed", help="load the demo library (real Norwegian examples)")
        _add_language(seed, "the report")

    def run_from_argv(self, argv: list[str]) -> None:
        # argparse checks the options before handle() chooses the language: its refusals
        # (a bad --limit) are worded in the language asked for too.
        with translation.override(language_in(argv[2:])):
            super().run_from_argv(argv)

    def _user(self, email: str | None) -> Any:
        if not email:
            return AnonymousUser()
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None:
            user = get_user_model().objects.filter(username__iexact=email).first()
        if user is None:
            raise CommandError(_("no user with the e-mail address %(email)s") % {"email": email})
        return user

    def handle(self, *args: Any, **options: Any) -> None:
        # The chosen language, never whatever happens to be active: the output is the same
        # from the shell and from call_command.
        with translation.override(options["language"]):
            {
                "import": lambda: self._import(options["file"]),
                "export": lambda: self._export(options),
                "search": lambda: self._search(options),
                "reindex": self._reindex,
                "seed": self._seed,
            }[options["action"]]()

    def _export(self, options: dict[str, Any]) -> None:
        data = export_library(self._user(options.get("as_user")))
        options["out"].write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        projects, methods = len(data["projects"]), len(data["methods"])
        self.stdout.write(
            _("Wrote %(projects)s and %(methods)s to %(file)s.")
            % {
                "projects": ngettext("%(count)s project", "%(count)s projects", projects)
                % {"count": projects},
                "methods": ngettext("%(count)s method", "%(count)s methods", methods)
                % {"count": methods},
                "file": options["out"],
            }
        )

    def _reindex(self) -> None:
        from sdgnet.projects.search import rebuild_index

        count = rebuild_index(say=self.stdout.write)
        self.stdout.write(
            ngettext(
                "Indexed %(count)s published project.",
                "Indexed %(count)s published projects.",
                count,
            )
            % {"count": count}
        )

    def _seed(self) -> None:
        from sdgnet.projects.seed import load_seed

        # The report is load_seed's own line (it printed it besides this command's, to
        # the process's stdout rather than the command's).
        load_seed(say=self.stdout.write)

    def _import(self, path: Path) -> None:
        if not path.is_file():
            raise CommandError(_("%(file)s: no such file") % {"file": path})
        try:
            payload = read_library_file(path)
        except LibraryError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(
                _("%(file)s cannot be read: %(error)s")
                % {"file": path, "error": error.strerror or error}
            ) from error
        report = do_import_library(payload)
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                ngettext(
                    "%(count)s problem; nothing was imported.",
                    "%(count)s problems; nothing was imported.",
                    len(report.problems),
                )
                % {"count": len(report.problems)}
            )
        self.stdout.write(
            _("Imported: %(created)s new, %(updated)s updated.")
            % {"created": report.created, "updated": report.updated}
        )

    def _search(self, options: dict[str, Any]) -> None:
        from sdgnet.projects.search import search_projects

        result = search_projects(
            self._user(options.get("as_user")), options["query"], limit=options["limit"]
        )
        if options["json"]:
            # The municipality by its number, as the import format names it.
            rows = [
                {
                    "key": hit.key,
                    "title": hit.project.title if hit.project else "",
                    "municipality": hit.project.municipality_id if hit.project else "",
                    "score": round(hit.score, 6),
                }
                for hit in result.hits
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        if not result.semantic:
            self.stderr.write(
                _(
                    "Keyword search only: the language model that finds projects by meaning "
                    "is not available, so words must match."
                )
            )
        if not result.hits:
            # Said, as on the page: an empty output reads as a failure that kept quiet.
            self.stdout.write(_("No project matches “%(query)s”") % {"query": options["query"]})
        for hit in result.hits:
            title, place = (
                (hit.project.title, hit.project.municipality.name) if hit.project else ("", "")
            )
            self.stdout.write(f"{hit.score:.4f}  {hit.key}  {title} ({place})")
