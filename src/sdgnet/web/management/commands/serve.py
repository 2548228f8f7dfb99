from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sdgnet.web.command_options import whole_number


class Command(BaseCommand):
    help = "Serve sdgnet with gunicorn (static files through WhiteNoise)."

    def add_arguments(self, parser: CommandParser) -> None:
        # The PORT variable is a default given as text, which argparse reads with the
        # option's type: a bad one is refused as --port, not with a traceback.
        parser.add_argument(
            "--port", type=whole_number(0, 65535), default=os.environ.get("PORT", "8000")
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--workers",
            type=whole_number(1),
            default=(os.cpu_count() or 1) * 2 + 1,
            help="worker processes",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from gunicorn.app.base import BaseApplication

        from sdgnet.web.wsgi import application

        bind = f"{options['host']}:{options['port']}"

        class Server(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                self.cfg.set("bind", bind)
                self.cfg.set("workers", options["workers"])
                self.cfg.set("accesslog", "-")
                self.cfg.set("graceful_timeout", 5)

            def load(self) -> Any:
                return application

        self.stdout.write(
            self.style.SUCCESS(f"sdgnet is running on http://{bind}/  (Ctrl+C stops it)")
        )
        self.stdout.flush()
        Server().run()
