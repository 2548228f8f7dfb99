"""Every write to places and peer groups goes through here."""

from __future__ import annotations

from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from sdgnet.places.models import CodeHistory, PeerGroup, Place
from sdgnet.web.csvfiles import optional_float, optional_int, read_csv_dicts

NORWAY = "NO"
POPULATION_YEAR = 2024

# Population size classes (residents on 1 January), the bands SSB uses when it groups
# municipalities by size; labels in both languages.
SIZE_CLASSES: list[tuple[str, int, int | None, str, str]] = [
    ("size-under-2000", 0, 2000, "Under 2 000 innbyggere", "Under 2,000 residents"),
    ("size-2000-4999", 2000, 5000, "2 000–4 999 innbyggere", "2,000–4,999 residents"),
    ("size-5000-9999", 5000, 10000, "5 000–9 999 innbyggere", "5,000–9,999 residents"),
    ("size-10000-19999", 10000, 20000, "10 000–19 999 innbyggere", "10,000–19,999 residents"),
    ("size-20000-49999", 20000, 50000, "20 000–49 999 innbyggere", "20,000–49,999 residents"),
    ("size-50000-plus", 50000, None, "50 000 innbyggere og flere", "50,000 residents or more"),
]


def size_class_of(population: int) -> str:
    for slug, low, high, _nb, _en in SIZE_CLASSES:
        if population >= low and (high is None or population < high):
            return slug
    raise ValueError(population)


@transaction.atomic
def do_load_places(directory: Path) -> dict[str, int]:
    """Insert or update Norway, its counties and municipalities, code history and the
    built-in peer groups (county, size class) from the default data files."""
    Place.objects.update_or_create(
        code=NORWAY,
        defaults={"kind": Place.Kind.COUNTRY, "name": "Norge", "name_official": "Norge"},
    )
    counties = [
        Place(code=row["code"], kind=Place.Kind.COUNTY, name=row["name"], parent_id=NORWAY)
        for row in read_csv_dicts(directory / "counties.csv")
    ]
    Place.objects.bulk_create(
        counties,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["kind", "name", "parent"],
    )
    municipalities = [
        Place(
            code=row["code"],
            kind=Place.Kind.MUNICIPALITY,
            name=row["name"],
            name_official=row.get("name_no", ""),
            parent_id=row["county"],
            population=optional_int(row["population"]),
            population_year=POPULATION_YEAR,
            area_km2=optional_float(row["area_km2"]),
            adm_centre=row.get("adm_centre", ""),
            language_form=row.get("language_form", ""),
            url=row.get("url", ""),
        )
        for row in read_csv_dicts(directory / "municipalities.csv")
    ]
    Place.objects.bulk_create(
        municipalities,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=[
            "kind",
            "name",
            "name_official",
            "parent",
            "population",
            "population_year",
            "area_km2",
            "adm_centre",
            "language_form",
            "url",
        ],
    )
    # The history is reference data: replace it whole so a corrected file takes effect.
    CodeHistory.objects.all().delete()
    history = [
        CodeHistory(
            old_code=row["old_code"],
            name=row["name"],
            valid_from=int(row["valid_from"]),
            valid_to=optional_int(row["valid_to"]),
            new_place_id=row["new_code"],
            weight=optional_float(row["weight"]) or 1.0,
        )
        for row in read_csv_dicts(directory / "code_history.csv")
    ]
    CodeHistory.objects.bulk_create(history, batch_size=2000)
    _sync_builtin_peer_groups(counties, municipalities)
    return {
        "counties": len(counties),
        "municipalities": len(municipalities),
        "code_history": len(history),
    }


def _sync_builtin_peer_groups(counties: list[Place], municipalities: list[Place]) -> None:
    for county in counties:
        group, _ = PeerGroup.objects.update_or_create(
            slug=f"county-{county.code}",
            defaults={
                "kind": PeerGroup.Kind.COUNTY,
                "name_nb": county.name,
                "name_en": county.name,
            },
        )
        group.members.set([m for m in municipalities if m.parent_id == county.code])
    for slug, _low, _high, name_nb, name_en in SIZE_CLASSES:
        group, _ = PeerGroup.objects.update_or_create(
            slug=slug,
            defaults={"kind": PeerGroup.Kind.SIZE_CLASS, "name_nb": name_nb, "name_en": name_en},
        )
        group.members.set(
            [
                m
                for m in municipalities
                if m.population is not None and size_class_of(m.population) == slug
            ]
        )


class PeerGroupError(ValueError):
    pass


# slugify drops letters without an ASCII decomposition; these are Norway's.
_TRANSLITERATE = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "å": "a", "Å": "A"})
CUSTOM_PREFIX = "custom-"


def _max_length(field: str) -> int:
    """The length of one of PeerGroup's text columns, as the model declares it."""
    length = getattr(PeerGroup._meta.get_field(field), "max_length", None)
    assert isinstance(length, int), field
    return length


def peer_group_slug(name: str) -> str:
    """`custom-` and the name in ASCII (æ→ae, ø→o, å→a), with `-2`, `-3`, … when another
    group's name gives the same slug (`Ø` and `O`); "group" when nothing is left."""
    room = _max_length("slug") - len(CUSTOM_PREFIX) - 4  # room for "-999"
    base = slugify(name.translate(_TRANSLITERATE))[:room].strip("-") or "group"
    taken = set(
        PeerGroup.objects.filter(slug__startswith=CUSTOM_PREFIX + base).values_list(
            "slug", flat=True
        )
    )
    slug, number = CUSTOM_PREFIX + base, 2
    while slug in taken:
        slug, number = f"{CUSTOM_PREFIX}{base}-{number}", number + 1
    return slug


def _check_name(name: str, field: str) -> None:
    limit = _max_length(field)
    if len(name) > limit:
        raise PeerGroupError(
            _("The name is %(length)d characters long; a peer group's name has at most %(limit)d.")
            % {"length": len(name), "limit": limit}
        )


@transaction.atomic
def do_create_peer_group(
    name_nb: str, name_en: str, member_codes: list[str], created_by: object | None = None
) -> PeerGroup:
    """A user-defined peer group of municipalities. Names are unique among user-defined
    groups regardless of case; names that differ get slugs that differ."""
    name_nb, name_en = name_nb.strip(), (name_en or name_nb).strip()
    if not name_nb:
        raise PeerGroupError(_("A peer group needs a name."))
    _check_name(name_nb, "name_nb")
    _check_name(name_en, "name_en")
    known = set(
        Place.objects.filter(code__in=member_codes, kind=Place.Kind.MUNICIPALITY).values_list(
            "code", flat=True
        )
    )
    unknown = sorted(set(member_codes) - known)
    if unknown:
        raise PeerGroupError(_("Unknown municipalities: %(codes)s") % {"codes": ", ".join(unknown)})
    if len(known) < 2:
        raise PeerGroupError(_("A peer group needs at least two municipalities."))
    # Compared in Python: SQLite's case-insensitive matching knows only ASCII (Ø and ø).
    existing = PeerGroup.objects.filter(kind=PeerGroup.Kind.CUSTOM).values_list(
        "name_nb", flat=True
    )
    exists = _("A peer group called “%(name)s” already exists.") % {"name": name_nb}
    if name_nb.casefold() in {name.casefold() for name in existing}:
        raise PeerGroupError(exists)
    try:
        with transaction.atomic():
            group = PeerGroup.objects.create(
                slug=peer_group_slug(name_nb),
                kind=PeerGroup.Kind.CUSTOM,
                name_nb=name_nb,
                name_en=name_en,
                created_by=created_by,  # type: ignore[misc]
            )
    except IntegrityError as error:  # the same name, created at the same moment
        raise PeerGroupError(exists) from error
    group.members.set(Place.objects.filter(code__in=known))
    return group
