"""`sdgnet users create --email E --role ROLE [--place NUMBER] [--password-stdin]`."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sdgnet.accounts.actions import AccountError, do_create_user
from sdgnet.accounts.models import Role


class Command(BaseCommand):
    help = "Manage users: create a user with a role."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="create a user")
        create.add_argument("--email", required=True)
        create.add_argument("--role", required=True, choices=Role.values)
        create.add_argument("--place", help="municipality number (municipality-admin, editor)")
        create.add_argument("--organisation", default="", help="organisation (partner)")
        create.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from standard input; without it the user sets one "
            "by password reset",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = None
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("no password on standard input")
        try:
            user = do_create_user(
                options["email"],
                options["role"],
                place=options["place"],
                password=password,
                organisation=options["organisation"],
            )
        except AccountError as error:
            raise CommandError("\n".join(error.problems)) from error
        self.stdout.write(f"created {user.get_username()} ({options['role']})")
