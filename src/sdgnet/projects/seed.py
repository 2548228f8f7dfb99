"""The demo library: real Norwegian examples, written in our own words from public
sources (each project's `source_url`), loaded by `sdgnet setup`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from django.utils.translation import gettext as _

from sdgnet.projects.actions import LibraryError, LibraryImport, do_import_library

SEED_FILE = Path(__file__).parent / "data" / "seed.json"


def load_seed(say: Callable[[str], None] = print) -> LibraryImport:
    report = do_import_library(json.loads(SEED_FILE.read_text(encoding="utf-8")))
    if not report.ok:
        raise LibraryError(report.problems)
    say(
        _("Library: %(created)s new, %(updated)s updated projects and methods.")
        % {"created": report.created, "updated": report.updated}
    )
    return report
