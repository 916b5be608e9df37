"""The assistance side's models, one module per stage."""
from .review import EligibilityCategory, HouseholdMember, OverdueCount, ReviewCase, StateDeadline
from .settlements import (InsuredPerson, ScreeningRun, SettlementImport, SettlementImportError, SettlementRecord,
                          WarningTarget)

__all__ = ["EligibilityCategory", "HouseholdMember", "InsuredPerson", "OverdueCount", "ReviewCase", "ScreeningRun",
           "SettlementImport", "SettlementImportError", "SettlementRecord", "StateDeadline", "WarningTarget"]
