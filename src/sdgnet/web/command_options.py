"""Option types shared by the sdgnet management commands, refusing in the active language.

argparse names the refused option itself ("argument --limit: ..."); what follows is ours.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from django.conf import settings
from django.utils.translation import gettext as _

from sdgnet.engine.cells import read_whole_number


def whole_number(least: int, most: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number, at least `least` (and at most `most`)."""

    def parse(text: str) -> int:
        try:
            number = read_whole_number(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                _("expected a whole number, found “%(text)s”") % {"text": text}
            ) from None
        if most is not None and not least <= number <= most:
            raise argparse.ArgumentTypeError(
                _("must be from %(least)s to %(most)s, found %(number)s")
                % {"least": least, "most": most, "number": number}
            )
        if number < least:
            raise argparse.ArgumentTypeError(
                _("must be at least %(least)s, found %(number)s")
                % {"least": least, "number": number}
            )
        return number

    return parse


def language_in(arguments: Sequence[str]) -> str:
    """The language a command's `--language` asks for among its arguments (the last one
    given, as argparse takes it), else the site's default. argparse checks every option
    before the command chooses its language; read first, it words those refusals too."""
    codes = {code for code, _name in settings.LANGUAGES}
    chosen = settings.LANGUAGE_CODE
    for position, argument in enumerate(arguments):
        if argument == "--language" and position + 1 < len(arguments):
            value = arguments[position + 1]
        elif argument.startswith("--language="):
            value = argument.removeprefix("--language=")
        else:
            continue
        if value in codes:
            chosen = value
    return chosen
