"""A calendar year: stored as a small integer, always written as its four digits.

Pages localise integers with the thousands separator (USE_THOUSAND_SEPARATOR: 311,000.00), which
turned years into "2,022". A year is a label, not a quantity:

- model fields are YearField: the admin shows a field by its choice labels when it has them, and
  a year's label is its digits (every list column and read-only field, in every app);
- templates print a bare year with |unlocalize (or stringformat:"d").
"""
from django.db import models

# The years a label is kept for: the fund's data start in 2000 (applications are checked to it).
_LABELS = tuple((year, str(year)) for year in range(1900, 2200))


class YearField(models.PositiveSmallIntegerField):
    @property
    def flatchoices(self):
        # What the admin's display_for_field reads; forms, validation and the API still see a
        # plain integer field (no choices).
        return _LABELS

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        # Only the display differs: the column, and so every migration, is a PositiveSmallIntegerField's.
        return name, "django.db.models.PositiveSmallIntegerField", args, kwargs
