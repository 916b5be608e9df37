"""What a loader reports about one file (both loaders, so neither imports the other)."""
from dataclasses import dataclass


@dataclass
class LoadResult:
    rows_total: int
    rows_rejected: int
    rows_imported: int
    rows_unchanged: int
    people_created: int
