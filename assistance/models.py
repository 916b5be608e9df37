"""The assistance side's models, as Django finds them (the app's models module): each stage
defines its own in its models.py; this module only imports them. Callers import a model from the
stage that owns it, or from here."""
from .appeals.models import Appeal
from .applications.models import (Application, ApplicationMember, ApplicationSequence, Document, DocumentAccess,
                                  ExtraCost)
from .council.models import (Attendance, CouncilMember, Meeting, QuorumRule, Resolution, ResolutionItem,
                             ResolutionSequence, Scheme, SchemeRule)
from .followup.models import FollowUp
from .intake.models import (InsuredPerson, ScreeningRun, SettlementImport, SettlementImportError, SettlementRecord,
                            WarningTarget)
from .outreach.models import OutreachContact, OutreachTask
from .payouts.models import BankResult, BankResultLine, FraudFlag, Payout, PayoutBatch
from .publicity.models import CaseSequence, Objection, Publicity, PublicityEntry
from .review.models import EligibilityCategory, HouseholdMember, OverdueCount, ReviewCase, StateDeadline

__all__ = ["Appeal", "CaseSequence", "Objection", "Publicity", "PublicityEntry", "Application", "ApplicationMember", "ApplicationSequence", "Attendance", "BankResult",
           "BankResultLine", "CouncilMember", "Document", "DocumentAccess", "EligibilityCategory", "ExtraCost",
           "FollowUp", "FraudFlag", "OutreachContact", "OutreachTask", "HouseholdMember", "InsuredPerson", "Meeting", "OverdueCount", "Payout", "PayoutBatch",
           "QuorumRule", "Resolution", "ResolutionItem", "ResolutionSequence", "ReviewCase", "Scheme",
           "SchemeRule", "ScreeningRun", "SettlementImport", "SettlementImportError", "SettlementRecord",
           "StateDeadline", "WarningTarget"]
