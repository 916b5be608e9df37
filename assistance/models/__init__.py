"""The assistance side's models, one module per stage."""
from ..applications.models import (Application, ApplicationMember, ApplicationSequence, Document, DocumentAccess,
                           ExtraCost)
from ..council.models import Attendance, CouncilMember, Meeting, QuorumRule, Resolution, ResolutionItem, ResolutionSequence
from .payouts import BankResult, BankResultLine, FraudFlag, Payout, PayoutBatch
from ..review.models import EligibilityCategory, HouseholdMember, OverdueCount, ReviewCase, StateDeadline
from ..council.models import Scheme, SchemeRule
from ..intake.models import (InsuredPerson, ScreeningRun, SettlementImport, SettlementImportError, SettlementRecord,
                          WarningTarget)

__all__ = ["Application", "ApplicationMember", "ApplicationSequence", "Attendance", "BankResult",
           "BankResultLine", "CouncilMember", "Document", "DocumentAccess", "EligibilityCategory", "ExtraCost",
           "FraudFlag", "HouseholdMember", "InsuredPerson", "Meeting", "OverdueCount", "Payout", "PayoutBatch",
           "QuorumRule", "Resolution", "ResolutionItem", "ResolutionSequence", "ReviewCase", "Scheme",
           "SchemeRule", "ScreeningRun", "SettlementImport", "SettlementImportError", "SettlementRecord",
           "StateDeadline", "WarningTarget"]
