"""Writes of the assistance side, one module per stage, re-exported here."""
from .imports import settlement_import_create, settlement_import_run
from .people import insured_person_set_deceased
from .screening import screening_run_create, screening_run_execute, screening_run_share

__all__ = ["insured_person_set_deceased", "settlement_import_create", "settlement_import_run", "screening_run_create", "screening_run_execute",
           "screening_run_share"]
