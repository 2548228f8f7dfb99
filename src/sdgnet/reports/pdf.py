"""The council report as a PDF: its HTML laid out by WeasyPrint with the site's stylesheet
and the report's own, read from the installed static files. Nothing is fetched: no URL is
followed, and the fonts are the system's (DejaVu, Liberation from
scripts/install_system_packages.sh)."""

from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import Path

from django.contrib.staticfiles import finders
from django.utils.translation import gettext

STYLESHEETS = ("sdgnet/site.css", "reports/report.css")
# What the Debian packages that WeasyPrint loads at run time are called.
PANGO_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0"
# WeasyPrint warns about each rule of the site's stylesheet it does not support (screen
# media queries, sticky headers): a dozen lines per PDF in the server's log, none of them
# about the report.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


class PdfUnavailable(Exception):
    """WeasyPrint cannot run on this machine (Pango, its text layout library, is missing)."""


def render_pdf(html: str, base_url: str) -> bytes:
    """The PDF of `html`; its relative links point below `base_url` (the page's address)."""
    try:
        # Imported here: WeasyPrint loads Pango when imported and raises OSError without it;
        # the rest of the site must run all the same.
        import weasyprint
    except (OSError, ImportError) as error:
        raise PdfUnavailable(str(error)) from error
    no_fetching = weasyprint.URLFetcher(allowed_protocols=[])
    stylesheets = [
        weasyprint.CSS(string=_static_text(name), url_fetcher=no_fetching) for name in STYLESHEETS
    ]
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=no_fetching)
    pdf: bytes = document.write_pdf(stylesheets=stylesheets)
    return pdf


def _static_text(name: str) -> str:
    found = finders.find(name)
    if not isinstance(found, str):
        raise FileNotFoundError(name)
    return Path(found).read_text(encoding="utf-8")


def css_string(text: str) -> str:
    """`text` as a quoted CSS string that cannot end the string or the style element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    return '"' + re.sub(r"\s+", " ", escaped) + '"'


def page_margin_css(place_name: str, year: int | None) -> str:
    """The printed pages' running header (the municipality and the year) and footer
    ("Side 3 av 7"), in the reader's language: CSS strings cannot be translated in a
    stylesheet, so they are written here."""
    header = f"{place_name} · {year}" if year else place_name
    # "{page}" and "{pages}" become the page counters wherever the translation puts them.
    parts = re.split(r"(\{page\}|\{pages\})", gettext("Page {page} of {pages}"))
    footer = " ".join(
        f"counter({part[1:-1]})" if part in ("{page}", "{pages}") else css_string(part)
        for part in parts
        if part
    )
    return (
        "@page { @top-right { content: " + css_string(header) + "; } "
        "@bottom-center { content: " + footer + "; } }"
    )


def ascii_file_name(*parts: str | int) -> str:
    """A file name that every browser and mail client keeps: Norwegian letters spelled
    out (æ → ae), other accents dropped, anything else a hyphen."""
    spelled = "-".join(str(part) for part in parts).translate(NORWEGIAN_LETTERS)
    plain = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-")


NORWEGIAN_LETTERS = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "å": "a", "Å": "A"})
