from __future__ import annotations

import itertools

import pytest
from django.core.management import CommandError, call_command

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
