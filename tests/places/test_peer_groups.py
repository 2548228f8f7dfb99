from __future__ import annotations

import itertools
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from sdgnet.places.actions import SIZE_CLASSES, size_class_of
from sdgnet.places.models import PeerGroup

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("population", "expected"),
    [
        (0, "size-under-2000"),
        (1999, "size-under-2000"),
        (2000, "size-2000-4999"),
        (49999, "size-20000-49999"),
        (50000, "size-50000-plus"),
        (717710, "size-50000-plus"),
    ],
)
def test_size_class_bounds(population: int, expected: str) -> None:
    assert size_class_of(population) == expected


def test_size_classes_are_contiguous() -> None:
    for (_slug, _low, high, *_), (_next, low, *_rest) in itertools.pairwise(SIZE_CLASSES):
        assert high == low


def test_baerum_is_in_akershus_and_the_largest_size_class() -> None:
    groups = set(PeerGroup.objects.filter(members="3201").values_list("slug", flat=True))
    assert groups == {"county-32", "size-50000-plus"}


@translation.override("en")
def test_a_user_defined_group_is_created_and_bad_input_refused() -> None:
    call_command(
        "peergroups", "create", "--name", "Bærekraftsnettverket", "--places", "3201,3203,5001,1804"
    )
    group = PeerGroup.objects.get(kind=PeerGroup.Kind.CUSTOM)
    assert sorted(group.members.values_list("code", flat=True)) == ["1804", "3201", "3203", "5001"]
    with pytest.raises(CommandError, match="9999"):
        call_command("peergroups", "create", "--name", "Feil", "--places", "3201,9999")
    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "peergroups", "create", "--name", "Bærekraftsnettverket", "--places", "3201,3203"
        )
    with pytest.raises(CommandError, match="at least two"):
        call_command("peergroups", "create", "--name", "Alene", "--places", "3201")
    assert PeerGroup.objects.filter(kind=PeerGroup.Kind.CUSTOM).count() == 1


def create(name: str, *more: str) -> str:
    out = StringIO()
    call_command("peergroups", "create", "--name", name, *more, "--places", "3201,3203", stdout=out)
    return out.getvalue()


def test_names_that_differ_only_in_norwegian_letters_make_different_groups() -> None:
    for name in ("Ø", "Æ", "Å", "O", "Bærum og Asker"):
        create(name)
    slugs = dict(
        PeerGroup.objects.filter(kind=PeerGroup.Kind.CUSTOM).values_list("name_nb", "slug")
    )
    assert slugs == {
        "Ø": "custom-o",
        "Æ": "custom-ae",
        "Å": "custom-a",
        "O": "custom-o-2",  # another name that gives the same letters
        "Bærum og Asker": "custom-baerum-og-asker",
    }
    # The same name again, in any case, is refused.
    for name in ("ø", "æ", " BÆRUM OG ASKER "):
        with pytest.raises(CommandError, match="finnes allerede"):
            create(name)
    assert PeerGroup.objects.filter(kind=PeerGroup.Kind.CUSTOM).count() == 5


@pytest.mark.parametrize("option", ["--name", "--name-en"])
def test_a_name_longer_than_the_column_is_refused_with_a_clear_message(option: str) -> None:
    limit = PeerGroup._meta.get_field("name_nb").max_length
    assert limit == 200
    long_name = "Å" * 500
    args = (
        ["--name", long_name] if option == "--name" else ["--name", "Kort", "--name-en", long_name]
    )
    with pytest.raises(CommandError, match=r"500 tegn.*høyst 200"):
        call_command("peergroups", "create", *args, "--places", "3201,3203", stdout=StringIO())
    with translation.override("en"), pytest.raises(CommandError, match=r"500 characters.*200"):
        call_command("peergroups", "create", *args, "--places", "3201,3203", stdout=StringIO())
    assert not PeerGroup.objects.filter(kind=PeerGroup.Kind.CUSTOM).exists()
    # Exactly as long as the column allows is fine, and the slug stays within its own.
    assert "Created" in create("Æ" * limit)
    group = PeerGroup.objects.get(kind=PeerGroup.Kind.CUSTOM)
    assert group.name_nb == "Æ" * limit
    assert len(group.slug) <= PeerGroup._meta.get_field("slug").max_length
