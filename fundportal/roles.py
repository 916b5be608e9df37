"""Roles are Django groups; this table is the one place that says what each may do.

`migrate` (and every test-database flush) creates the groups and sets each group's
permissions to exactly what the table matches, so a permission is granted here or nowhere.
Patterns are fnmatch patterns over "app_label.codename".

Secrets (API token digests, sessions, login-failure records) are never reached by a wildcard:
a permission on them is granted only by a pattern that names it exactly, letter for letter.
tests/core/role_view_permissions.txt lists which roles can view each model; a new model must
be added there on purpose.
"""
from fnmatch import fnmatch

from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission
from django.db import models, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MSB_STAFF = "医保局工作人员", _("医保局工作人员")
    CAB_CITY = "民政局（市级）", _("民政局（市级）")
    CAB_TOWN = "乡镇（街道）民政", _("乡镇（街道）民政")
    CAB_VILLAGE = "村（社区）工作人员", _("村（社区）工作人员")
    REDCROSS_CLERK = "红十字会录入员", _("红十字会录入员")
    COUNCIL_SECRETARY = "理事会秘书", _("理事会秘书")
    CHARITY_FINANCE = "慈善总会财务", _("慈善总会财务")
    AUDITOR = "审计（只读）", _("审计（只读）")
    ADMINISTRATOR = "系统管理员", _("系统管理员")


# Models whose rows are secrets or credentials: only an exact grant reaches them.
SECRET_MODELS = frozenset({
    "fundportal.apitoken",  # API token digests
    "sessions.session",  # login sessions
    "axes.accessattempt", "axes.accessattemptexpiration", "axes.accesslog", "axes.accessfailurelog",
    "fundportal.ratelimitwindow",  # keyed by the client's address: a security record, not the fund's data
})

# The fund's own data: everything an auditor reads, history and audit trail included.
BUSINESS_APPS = ("fundportal", "donations", "assistance", "disclosure")

# Civil-affairs officers see shared warning targets and review cases of their own area (scoped in
# the selectors of assistance/intake and assistance/review), only the totals: never the settlement
# records behind them. The city bureau dispatches and decides, the town hands cases to its
# villages, the village verifies.
CAB_OFFICER = ["assistance.view_warningtarget", "assistance.view_reviewcase", "assistance.view_householdmember",
               "assistance.view_eligibilitycategory", "assistance.view_statedeadline", "assistance.view_overduecount",
               "assistance.view_application", "assistance.view_document",
               # 公示 and the objections against its entries in their area; the families' reviews.
               "assistance.view_publicity", "assistance.view_publicityentry", "assistance.view_objection",
               "assistance.add_objection", "assistance.investigate_objection", "assistance.view_appeal",
               # Families found eligible who have not applied (应助未助): followed up by their village.
               "assistance.view_outreachtask", "assistance.view_outreachcontact",
               # Families already assisted, followed so they do not fall back (防止返贫监测).
               "assistance.view_followup",
               # The notices sent about the cases they see (phones masked).
               "fundportal.view_notice"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.MSB_STAFF: [
        "assistance.view_insuredperson", "assistance.change_insuredperson",
        "assistance.view_settlementrecord",
        "assistance.add_settlementimport", "assistance.view_settlementimport",
        "assistance.view_settlementimporterror",
        "assistance.add_screeningrun", "assistance.view_screeningrun", "assistance.share_screeningrun",
        # The state of each case it shared, never the household civil affairs found.
        "assistance.view_warningtarget", "assistance.view_reviewcase",
    ],
    Role.CAB_CITY: [*CAB_OFFICER, "assistance.dispatch_reviewcase", "assistance.determine_reviewcase",
                    "assistance.decide_objection", "assistance.decide_eligibility_appeal",
                    "assistance.move_reviewcase", "assistance.add_eligibilitycategory",
                    "assistance.change_eligibilitycategory", "assistance.change_statedeadline"],
    Role.CAB_TOWN: [*CAB_OFFICER, "assistance.assign_reviewcase", "assistance.move_reviewcase",
                    "assistance.decide_objection"],
    Role.CAB_VILLAGE: [*CAB_OFFICER, "assistance.verify_reviewcase", "assistance.record_outreachcontact",
                       "assistance.record_followup"],
    # Clerks enter applications in their workspace and see those they entered, scans included.
    # They also record objections brought to the counter and families' requests for review (复核).
    Role.REDCROSS_CLERK: ["assistance.add_application", "assistance.view_application", "assistance.view_document",
                          "assistance.view_publicity", "assistance.view_publicityentry", "assistance.add_objection",
                          "assistance.add_appeal", "assistance.view_appeal", "fundportal.view_notice",
                          "fundportal.resend_notice"],
    Role.COUNCIL_SECRETARY: [
        "fundportal.view_fundaccount",
        "assistance.add_scheme", "assistance.change_scheme", "assistance.view_scheme", "assistance.view_schemerule",
        # Meetings, attendance and resolutions; signing what the meeting adopted.
        "assistance.view_councilmember", "assistance.view_quorumrule",
        "assistance.add_meeting", "assistance.change_meeting", "assistance.view_meeting", "assistance.*_attendance",
        "assistance.add_resolution", "assistance.change_resolution", "assistance.delete_resolution",
        "assistance.view_resolution", "assistance.view_resolutionitem", "assistance.sign_resolution",
        "assistance.view_application", "assistance.view_payoutbatch", "assistance.view_payout",
        "disclosure.view_statement",
        # The 公示 its signing posts, the objections against it, and the reviews of an amount.
        "assistance.view_publicity", "assistance.view_publicityentry", "assistance.view_objection",
        "assistance.view_appeal", "assistance.decide_amount_appeal",
    ],
    Role.CHARITY_FINANCE: [
        "donations.add_donor", "donations.change_donor", "donations.view_donor",
        "donations.add_campaign", "donations.change_campaign", "donations.view_campaign",
        "donations.add_pledge", "donations.change_pledge", "donations.view_pledge",
        "donations.view_pledgeinstalment",
        "donations.add_donation", "donations.view_donation",
        "donations.view_receipt", "donations.void_receipt",
        "donations.add_fiscalbill", "donations.view_fiscalbill",
        "fundportal.view_fundaccount", "fundportal.view_ledgerentry",
        # Payouts: batches from signed resolutions, bank files, reconciliation, flags.
        "assistance.view_resolution", "assistance.view_resolutionitem", "assistance.view_meeting",
        "assistance.add_payoutbatch", "assistance.view_payoutbatch", "assistance.export_payoutbatch",
        "assistance.reconcile_payoutbatch", "assistance.view_payout", "assistance.view_bankresult",
        "assistance.view_fraudflag", "assistance.override_fraudflag",
        # The notices to donors and families (phones masked); one whose sending was cut off is sent again by hand.
        "fundportal.view_notice", "fundportal.resend_notice",
        # Which entries the 公示 holds back (an open or upheld objection).
        "assistance.view_publicity", "assistance.view_publicityentry", "assistance.view_objection",
        # Statements for the public: built from the ledger, published into the hash chain.
        "disclosure.add_statement", "disclosure.view_statement", "disclosure.publish_statement",
    ],
    # Auditors read all the fund's data, history included, and the record of who did what in the
    # admin and which roles hold which permissions; they change nothing. Never a secret: no token,
    # session or login-failure record, no scheduler internals.
    Role.AUDITOR: [*(f"{app}.view_*" for app in BUSINESS_APPS), "fundportal.view_audit_trail",
                   "admin.view_logentry", "auth.view_group", "auth.view_permission"],
    # Administrators manage everything; tokens (issued and revoked, never read: only a digest is
    # stored) and lockouts (looked at and lifted) by exact name.
    Role.ADMINISTRATOR: ["*.*",
                         "fundportal.view_apitoken", "fundportal.add_apitoken", "fundportal.delete_apitoken",
                         "axes.view_accessattempt", "axes.delete_accessattempt",
                         "axes.view_accesslog", "axes.view_accessfailurelog"],
}

# Where each role's work is: the page a user lands on after logging in (the first of the user's
# roles in this order wins; superusers and users without a role land on the admin index). Every
# role lands on its work queue (fundportal/workqueue.py); the clerks' workspace shows theirs.
ROLE_LANDING: dict[str, tuple[str, tuple]] = {
    Role.REDCROSS_CLERK: ("workspace:home", ()),
    Role.CHARITY_FINANCE: ("work_queue", ()),
    Role.COUNCIL_SECRETARY: ("work_queue", ()),
    Role.MSB_STAFF: ("work_queue", ()),
    Role.CAB_CITY: ("work_queue", ()),
    Role.CAB_TOWN: ("work_queue", ()),
    Role.CAB_VILLAGE: ("work_queue", ()),
    Role.AUDITOR: ("work_queue", ()),
    Role.ADMINISTRATOR: ("work_queue", ()),
}

# Each role's main desk, linked from its work queue ("常用页面"): where it went before it had a queue.
ROLE_DESK: dict[str, tuple[str, tuple, str]] = {
    Role.REDCROSS_CLERK: ("workspace:home", (), _("我受理的申请")),
    Role.CHARITY_FINANCE: ("admin:app_list", ("donations",), _("捐赠")),
    Role.COUNCIL_SECRETARY: ("admin:assistance_meeting_changelist", (), _("理事会会议")),
    Role.MSB_STAFF: ("admin:assistance_settlementimport_changelist", (), _("结算数据导入")),
    Role.CAB_CITY: ("admin:assistance_reviewcase_changelist", (), _("低收入资格审核")),
    Role.CAB_TOWN: ("admin:assistance_reviewcase_changelist", (), _("低收入资格审核")),
    Role.CAB_VILLAGE: ("admin:assistance_reviewcase_changelist", (), _("低收入资格审核")),
    Role.AUDITOR: ("audit_trail", (), _("审计日志")),
    Role.ADMINISTRATOR: ("admin:index", (), _("管理后台")),
}


def _matches(code: str, pattern: str, secret: bool) -> bool:
    # A wildcard never reaches a secret; only the exact code does.
    return code == pattern if secret else fnmatch(code, pattern)


def permissions_for(patterns: list[str], all_permissions) -> list:
    chosen = []
    for perm in all_permissions:
        app_label = perm.content_type.app_label
        secret = f"{app_label}.{perm.content_type.model}" in SECRET_MODELS
        code = f"{app_label}.{perm.codename}"
        if any(_matches(code, pattern, secret) for pattern in patterns):
            chosen.append(perm)
    return chosen


def _role_names(user) -> set[str]:
    return set() if user.is_superuser else set(user.groups.values_list("name", flat=True))


def landing_url(user) -> str:
    """The page where this user's work is."""
    names = _role_names(user)
    for role, (url_name, args) in ROLE_LANDING.items():
        if role in names:
            return reverse(url_name, args=args)
    return reverse("admin:index")


def desk_url(user) -> tuple[str, str] | None:
    """(label, url) of the user's main desk, or None."""
    names = _role_names(user)
    for role, (url_name, args, label) in ROLE_DESK.items():
        if role in names:
            return str(label), reverse(url_name, args=args)
    return None


@transaction.atomic
def roles_sync(using: str = "default") -> None:
    all_permissions = list(Permission.objects.using(using).select_related("content_type"))
    for role, patterns in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set(permissions_for(patterns, all_permissions))


def roles_sync_on_migrate(sender, using="default", **kwargs) -> None:
    # post_migrate fires once per app with models; every app's permissions exist at the last one.
    last = [config for config in global_apps.get_app_configs() if config.models_module is not None][-1]
    if sender.label == last.label:
        roles_sync(using=using)
