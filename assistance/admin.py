"""The assistance side's admin: each stage's ModelAdmins, registered here and nowhere else."""
from django.contrib import admin

from .appeals import admin as appeals
from .appeals.models import Appeal
from .applications import admin as applications
from .applications.models import Application, DocumentAccess
from .council import admin as council
from .council.models import CouncilMember, Meeting, QuorumRule, Resolution, Scheme
from .followup import admin as followup
from .followup.models import FollowUp
from .intake import admin as intake
from .intake.models import InsuredPerson, ScreeningRun, SettlementImport, SettlementRecord, WarningTarget
from .outreach import admin as outreach
from .outreach.models import OutreachTask
from .payouts import admin as payouts
from .payouts.models import BankResult, FraudFlag, Payout, PayoutBatch
from .publicity import admin as publicity
from .publicity.models import Objection, Publicity
from .review import admin as review
from .review.models import EligibilityCategory, OverdueCount, ReviewCase, StateDeadline

admin.site.register(SettlementImport, intake.SettlementImportAdmin)
admin.site.register(InsuredPerson, intake.InsuredPersonAdmin)
admin.site.register(SettlementRecord, intake.SettlementRecordAdmin)
admin.site.register(ScreeningRun, intake.ScreeningRunAdmin)
admin.site.register(WarningTarget, intake.WarningTargetAdmin)

admin.site.register(ReviewCase, review.ReviewCaseAdmin)
admin.site.register(EligibilityCategory, review.EligibilityCategoryAdmin)
admin.site.register(StateDeadline, review.StateDeadlineAdmin)
admin.site.register(OverdueCount, review.OverdueCountAdmin)

admin.site.register(OutreachTask, outreach.OutreachTaskAdmin)

admin.site.register(FollowUp, followup.FollowUpAdmin)

admin.site.register(Application, applications.ApplicationAdmin)
admin.site.register(DocumentAccess, applications.DocumentAccessAdmin)

admin.site.register(Scheme, council.SchemeAdmin)
admin.site.register(CouncilMember, council.CouncilMemberAdmin)
admin.site.register(QuorumRule, council.QuorumRuleAdmin)
admin.site.register(Meeting, council.MeetingAdmin)
admin.site.register(Resolution, council.ResolutionAdmin)

admin.site.register(PayoutBatch, payouts.PayoutBatchAdmin)
admin.site.register(Payout, payouts.PayoutAdmin)
admin.site.register(FraudFlag, payouts.FraudFlagAdmin)
admin.site.register(BankResult, payouts.BankResultAdmin)

admin.site.register(Publicity, publicity.PublicityAdmin)
admin.site.register(Objection, publicity.ObjectionAdmin)

admin.site.register(Appeal, appeals.AppealAdmin)
