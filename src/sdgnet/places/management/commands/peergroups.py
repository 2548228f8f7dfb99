from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sdgnet.places.actions import PeerGroupError, do_create_peer_group
from sdgnet.places.models import PeerGroup


class Command(BaseCommand):
    help = "List peer groups, or create a user-defined one: `sdgnet peergroups create --name NAME --places 3201,3203`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="every peer group with its number of members")
        create = sub.add_parser("create", help="a user-defined group of municipalities")
        create.add_argument("--name", required=True, help="name in bokmål")
        create.add_argument(
            "--name-en", default="", help="name in English (default: the bokmål name)"
        )
        create.add_argument("--places", required=True, help="municipality numbers, comma-separated")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for group in PeerGroup.objects.order_by("kind", "slug"):
                self.stdout.write(
                    f"{group.slug}\t{group.get_kind_display()}\t{group.members.count()}\t{group.name_nb}"
                )
            return
        codes = [code.strip().zfill(4) for code in options["places"].split(",") if code.strip()]
        try:
            group = do_create_peer_group(options["name"], options["name_en"], codes)
        except PeerGroupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Created {group.slug} with {group.members.count()} municipalities.")
