"""Writes of the assistance side, one module per stage, re-exported here."""
from .imports import settlement_import_create, settlement_import_run
from .people import insured_person_set_deceased
from .review import (review_case_assign, review_case_determine, review_case_dispatch, review_case_move,
                     review_case_open_for_application, review_case_return, review_case_verify, review_cases_assign,
                     review_cases_dispatch, review_cases_open_for_run, review_overdue_count_record)
from .screening import screening_run_create, screening_run_execute, screening_run_share

__all__ = ["insured_person_set_deceased", "review_case_assign", "review_case_determine", "review_case_dispatch",
           "review_case_move", "review_case_open_for_application", "review_case_return", "review_case_verify",
           "review_cases_assign", "review_cases_dispatch", "review_cases_open_for_run", "review_overdue_count_record",
           "screening_run_create", "screening_run_execute", "screening_run_share"]
