"""The U4SSC key performance indicators' classification, in the reader's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import pgettext_lazy

from sdgnet.catalog.models import FrameworkIndicator

# The U4SSC classification (ITU-T Y.4903) as the framework file writes it, in English
# words and category codes; the pages show it in the reader's language. A value not
# listed here is shown as the file has it.
U4SSC_DIMENSIONS = {
    "Economy": pgettext_lazy("U4SSC", "Economy"),
    "Environment": pgettext_lazy("U4SSC", "Environment"),
    "Society and Culture": pgettext_lazy("U4SSC", "Society and Culture"),
    "ICT": pgettext_lazy("U4SSC", "ICT"),
    "Productivity": pgettext_lazy("U4SSC", "Productivity"),
    "Infrastructure": pgettext_lazy("U4SSC", "Infrastructure"),
    "Energy": pgettext_lazy("U4SSC", "Energy"),
    "Education, Health and Culture": pgettext_lazy("U4SSC", "Education, Health and Culture"),
    "Safety, Housing and Social Inclusion": pgettext_lazy(
        "U4SSC", "Safety, Housing and Social Inclusion"
    ),
}
U4SSC_CATEGORIES = {
    "ICT": pgettext_lazy("U4SSC", "ICT infrastructure"),
    "WS": pgettext_lazy("U4SSC", "Water and sanitation"),
    "D": pgettext_lazy("U4SSC", "Drainage"),
    "ES": pgettext_lazy("U4SSC", "Electricity supply"),
    "T": pgettext_lazy("U4SSC", "Transport"),
    "PS": pgettext_lazy("U4SSC", "Public sector"),
    "IN": pgettext_lazy("U4SSC", "Innovation"),
    "EM": pgettext_lazy("U4SSC", "Employment"),
    "WA": pgettext_lazy("U4SSC", "Waste"),
    "B": pgettext_lazy("U4SSC", "Buildings"),
    "UP": pgettext_lazy("U4SSC", "Urban planning"),
    "AQ": pgettext_lazy("U4SSC", "Air quality"),
    "EQ": pgettext_lazy("U4SSC", "Environmental quality"),
    "PSN": pgettext_lazy("U4SSC", "Public space and nature"),
    "E": pgettext_lazy("U4SSC", "Energy"),
    "ED": pgettext_lazy("U4SSC", "Education"),
    "H": pgettext_lazy("U4SSC", "Health and health care"),
    "C": pgettext_lazy("U4SSC", "Culture"),
    "HO": pgettext_lazy("U4SSC", "Housing"),
    "SI": pgettext_lazy("U4SSC", "Social inclusion"),
    "SA": pgettext_lazy("U4SSC", "Safety"),
    "FS": pgettext_lazy("U4SSC", "Food security"),
}
U4SSC_TIERS = {
    "core": pgettext_lazy("U4SSC", "core indicator"),
    "advanced": pgettext_lazy("U4SSC", "advanced indicator"),
}


def classification(entry: FrameworkIndicator) -> dict[str, str]:
    """The entry's U4SSC classification as stored and in the active language's words."""

    def word(words: dict[str, Any], value: str) -> str:
        return str(words.get(value, value))

    dimension = word(U4SSC_DIMENSIONS, entry.dimension)
    if entry.sub_dimension:
        dimension = f"{dimension} › {word(U4SSC_DIMENSIONS, entry.sub_dimension)}"
    return {
        "dimension": entry.dimension,
        "sub_dimension": entry.sub_dimension,
        "category": entry.category,
        "tier": entry.tier,
        "dimension_label": dimension if entry.dimension else "",
        "category_label": word(U4SSC_CATEGORIES, entry.category),
        "tier_label": word(U4SSC_TIERS, entry.tier),
    }
