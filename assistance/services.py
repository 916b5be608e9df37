"""Writes of the assistance side. Settlement imports and screening runs live in their own modules."""
from .imports import settlement_import_create, settlement_import_run

__all__ = ["settlement_import_create", "settlement_import_run"]
