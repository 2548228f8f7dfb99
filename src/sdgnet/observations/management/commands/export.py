from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sdgnet.observations.exports import ExportError, write_observations


class Command(BaseCommand):
    help = "Export data: `sdgnet export observations --out FILE.csv|FILE.xlsx`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["observations"])
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count = write_observations(options["out"])
        except ExportError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Wrote {count} observations to {options['out']}.")
