"""Household-registration text → a region of the city, or None (not local).

Files carry a division code (9 or 12 digits, sometimes 6) or a town name. The distinct values
of a file are few, so they are resolved here in Python for both loaders.
"""
from fundportal.models import Region
from fundportal.text import to_half_width


class RegionResolver:
    def __init__(self):
        regions = list(Region.objects.all())
        self.by_code = {region.code: region for region in regions}
        names: dict[str, list[Region]] = {}
        for region in regions:
            names.setdefault(region.name, []).append(region)
        self.by_name = {name: found[0] for name, found in names.items() if len(found) == 1}

    def resolve(self, text: str) -> Region | None:
        value = "".join(to_half_width(text or "").split())
        if not value:
            return None
        if value.isdigit():
            code = value.ljust(12, "0")
            # An unknown village code still belongs to its town (first 9 digits).
            return self.by_code.get(code) or self.by_code.get(code[:9] + "000")
        region = self.by_name.get(value)
        if region is None:
            # "瑞安市塘下镇韩田村" style: the longest known name the text ends with.
            candidates = [name for name in self.by_name if value.endswith(name)]
            region = self.by_name[max(candidates, key=len)] if candidates else None
        return region
