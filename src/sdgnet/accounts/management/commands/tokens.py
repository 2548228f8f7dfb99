"""`sdgnet tokens create --email E`: prints a new API token once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sdgnet.accounts.actions import AccountError, do_create_api_token, normalise_email


class Command(BaseCommand):
    help = "Manage API tokens: create one for a user (it is printed once, only its hash is kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="create a token")
        create.add_argument("--email", required=True)
        create.add_argument("--name", default="", help="what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=normalise_email(options["email"])).first()
        if user is None:
            raise CommandError(f"no user with the e-mail address {options['email']}")
        try:
            new = do_create_api_token(user, name=options["name"])
        except AccountError as error:
            raise CommandError("\n".join(error.problems)) from error
        self.stdout.write(new.secret)
