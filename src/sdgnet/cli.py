"""The `sdgnet` command.

`sdgnet score` is the engine's own command and never loads Django; every other
subcommand is a Django management command (setup, serve, import, export, rescore,
migrate, createsuperuser, ...).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["score"]:
        from sdgnet.engine.cli import main as score_main

        sys.exit(score_main(args[1:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sdgnet.web.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["sdgnet", *args])


if __name__ == "__main__":
    main()
