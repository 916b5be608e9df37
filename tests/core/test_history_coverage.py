"""Every change the fund cares about is in its history, and every "历史" button shows that history:
every admin of a history-tracked model is a HistoryAdmin (whatever it is built on), every other
model says why it keeps none, every bulk write to a tracked model writes its history too, and a
history URL that names nothing a user may see is a 404 for every role."""
import ast
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.core import checks
from django.urls import reverse
from django.utils import timezone

from assistance.review import services as review
from assistance.models import HouseholdMember, Payout, ReviewCase
from fundportal.history import NOT_TRACKED, is_tracked, tracked_fields, tracked_models, value_text
from fundportal.history_admin import HistoryAdmin, history_admins_are_read_only_and_masked
from fundportal.models import FundAccount, LedgerEntry
from tests.donations.helpers import record
from tests.payouts.helpers import all_paid, reconcile

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APPS = ("fundportal", "donations", "assistance", "disclosure")


# ----------------------------------------------------------------- every history button, every model

def test_every_admin_of_a_tracked_model_shows_the_audit_history():
    assert history_admins_are_read_only_and_masked(None) == []
    for model, model_admin in admin.site._registry.items():
        if is_tracked(model):
            assert isinstance(model_admin, HistoryAdmin), model._meta.label
        else:
            assert model._meta.label_lower in NOT_TRACKED, model._meta.label


def test_the_check_catches_a_plain_admin_of_a_tracked_model_whatever_its_base():
    site = admin.AdminSite(name="probe")
    site.register(ReviewCase, admin.ModelAdmin)  # Django's own history page: its admin log
    site.register(LedgerEntry, admin.ModelAdmin)  # not tracked, and said why: fine
    site.register(HouseholdMember.history.model, admin.ModelAdmin)  # neither tracked nor explained
    try:
        errors = [e for e in history_admins_are_read_only_and_masked(None) if e.obj.admin_site is site]
        assert sorted(e.id for e in errors) == ["fundportal.E101", "fundportal.E102"]
        assert all(isinstance(e, checks.Error) for e in errors)
    finally:
        for model in (ReviewCase, LedgerEntry, HouseholdMember.history.model):
            site.unregister(model)


def test_every_model_of_the_fund_keeps_its_history_or_says_why_not():
    undecided = [
        m._meta.label_lower for m in apps.get_models()
        if m._meta.app_label in APPS and not is_tracked(m) and not hasattr(m, "instance_type")  # a history table
        and not m._meta.auto_created and m._meta.label_lower not in NOT_TRACKED
        and not m.__name__.startswith("Historical")
    ]
    assert undecided == [], "keep its history (HistoricalRecords) or say why not in fundportal.history.NOT_TRACKED"
    for label in NOT_TRACKED:  # no stale reasons: each names a real model whose history is not kept
        model = apps.get_model(label)
        assert not is_tracked(model), label


def test_every_audited_field_has_a_label_people_read():
    latin_ok = {"SHA-256"}
    unlabelled = [
        f"{model._meta.label_lower}.{field.name}: {field.verbose_name}"
        for model in tracked_models()
        for field in [*tracked_fields(model), *getattr(model.history.model, "_history_m2m_fields", ())]
        if str(field.verbose_name) not in latin_ok and not any("\u4e00" <= ch <= "\u9fff" for ch in str(field.verbose_name))
    ]
    assert unlabelled == []  # "steps done / steps total" were the statement's build progress


def test_a_review_cases_history_page_shows_the_audit_history_to_the_auditor(client, auditor, shared_run, cab_city):
    case = ReviewCase.objects.order_by("id").first()
    review.review_case_dispatch(case=case, acting_user=cab_city)
    client.force_login(auditor)
    page = client.get(reverse("admin:assistance_reviewcase_history", args=[case.pk]))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert len(page.context["page_obj"].object_list) == case.history.count() == 2
    assert "监测初筛完成，派至乡镇（街道）" in html and str(cab_city) in html
    assert "乡镇（街道）核查" in html  # the state, before → after, by its label
    assert "此对象没有修改历史" not in html and "没有变更记录" not in html


def test_a_model_whose_history_is_not_kept_says_why_on_its_history_page(client, auditor, finance):
    record(finance)
    entry = LedgerEntry.objects.get()
    client.force_login(auditor)
    page = client.get(reverse("admin:fundportal_ledgerentry_history", args=[entry.pk]))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert str(NOT_TRACKED["fundportal.ledgerentry"]) in html
    assert "此对象没有修改历史" not in html and "action_list" not in page.context


# ------------------------------------------------------------------------- history pages: 404 rules

HISTORY_PAGES = ["donations/donor", "donations/donation", "donations/campaign", "donations/pledge",
                 "donations/receipt", "fundportal/user", "fundportal/fundaccount", "fundportal/ledgerentry",
                 "assistance/reviewcase", "assistance/payout", "disclosure/statement", "fundportal/apitoken"]


@pytest.mark.parametrize("persona", ["admin_user", "auditor", "finance", "clerk", "msb"])
def test_history_pages_naming_no_visible_object_are_a_404_for_every_role(request, client, persona):
    client.force_login(request.getfixturevalue(persona))
    for page in HISTORY_PAGES:
        for tail in ("abc/history/", "1/history/abc/", "999999/history/", "999999/history/1/"):
            url = f"/admin/{page}/{tail}"
            if "ledgerentry" in page and tail.count("/") == 3:
                continue  # no versions: its history is not kept
            assert client.get(url).status_code == 404, url


def test_a_version_of_another_object_is_a_404(client, auditor, finance):
    record(finance)
    account = FundAccount.objects.get()
    other = account.history.earliest()
    client.force_login(auditor)
    url = reverse("admin:fundportal_fundaccount_simple_history", args=[account.pk, other.history_id])
    assert client.get(url).status_code == 200
    assert client.get(reverse("admin:fundportal_fundaccount_simple_history",
                              args=[account.pk + 1, other.history_id])).status_code == 404


# ---------------------------------------------------------------------------------- household members

def test_household_members_recorded_at_a_visit_are_in_the_audit_trail_with_who_recorded_them(
        client, auditor, shared_run, cab_city, cab_town, cab_village):
    case = ReviewCase.objects.filter(region__name="韩田村").order_by("id").first()
    case = review.review_case_assign(case=review.review_case_dispatch(case=case, acting_user=cab_city),
                                     acting_user=cab_town)
    household = [{"name": case.person.name, "relation": "本人"},
                 {"name": "王芳", "relation": "配偶", "annual_income": Decimal("12000")}]
    review.review_case_verify(case=case, acting_user=cab_village, visited_on=timezone.localdate(),
                              household_income=Decimal("12000"), household=household)
    assert [(r.history_type, r.history_user) for r in HouseholdMember.history.all()] == [("+", cab_village)] * 2

    client.force_login(auditor)
    rows = client.get(reverse("audit_trail"), {"model": "assistance.householdmember"}).context["rows"]
    assert ("创建", str(cab_village), "王*（配偶）") in [(r.action, r.actor, r.object_repr) for r in rows]
    assert {(r.action, r.actor) for r in rows} == {("创建", str(cab_village))}


def test_replacing_household_members_records_who_removed_and_added_them(shared_run, cab_city, cab_town, cab_village):
    case = ReviewCase.objects.filter(region__name="韩田村").order_by("id").first()
    case = review.review_case_assign(case=review.review_case_dispatch(case=case, acting_user=cab_city),
                                     acting_user=cab_town)
    common = {"acting_user": cab_village, "visited_on": timezone.localdate(), "household_income": Decimal("1")}
    own = {"name": case.person.name, "relation": "本人"}
    review.review_case_verify(case=case, household=[own, {"name": "王芳", "relation": "配偶"}], **common)
    ReviewCase.objects.filter(pk=case.pk).update(state=ReviewCase.State.RETURNED)  # sent back to verify again
    review.review_case_verify(case=case, household=[own, {"name": "王小芳", "relation": "女儿"}], **common)
    assert sorted((r.history_type, r.name, r.history_user_id) for r in HouseholdMember.history.exclude(relation="本人")
                  ) == [("+", "王小芳", cab_village.pk), ("+", "王芳", cab_village.pk), ("-", "王芳", cab_village.pk)]


# ------------------------------------------------------------------- every bulk write writes history

WRITES = {"bulk_create", "bulk_update", "update"}
HISTORY_WRITERS = {"history_record_update", "bulk_history_create"}
# Bulk writes to a tracked model that write no history, each with the reason it need not. (The
# PostgreSQL import writes people by SQL, assistance/importing/people.py: the same bulk load.)
NOT_A_CHANGE_TO_AUDIT = {
    ("assistance/importing/python.py", "InsuredPerson"):
        "the MSB's load of up to 1.5 M people: audited by its SettlementImport row (who, when, which file, "
        "how many created and changed); a person edited by hand is in the person's history",
    ("assistance/review/defaults.py", "EligibilityCategory"): "the installation's starting categories, written by migrate",
    ("assistance/council/defaults.py", "CouncilMember"): "the installation's starting member agencies, written by migrate",
}


def _receiver(node: ast.AST) -> list[str]:
    """Payout.objects.filter(...).update → ["Payout", "objects", "filter"]."""
    names = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            return [node.id, *reversed(names)]
        else:
            return []


def _bulk_writes_without_history():
    tracked = {m.__name__: m for m in tracked_models()}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            relative = str(path.relative_to(ROOT))
            for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                calls = [n for n in ast.walk(function) if isinstance(n, ast.Call)]
                # History written in the same function: history_record_update(Model, …) or Model.history.bulk_history_create(…)
                covered = {(_receiver(c.func) or [""])[0] if isinstance(c.func, ast.Attribute) else
                           getattr(c.args[0], "id", "") if c.args else ""
                           for c in calls if (_receiver(c.func) or [""])[-1] in HISTORY_WRITERS
                           or getattr(c.func, "id", "") in HISTORY_WRITERS}
                for call in calls:
                    if not isinstance(call.func, ast.Attribute) or call.func.attr not in WRITES:
                        continue
                    chain = _receiver(call.func.value)
                    if len(chain) < 2 or chain[0] not in tracked or chain[1] != "objects" or chain[0] in covered:
                        continue
                    if (relative, chain[0]) in NOT_A_CHANGE_TO_AUDIT or \
                            (relative, chain[0], function.name) in NOT_A_CHANGE_TO_AUDIT:
                        continue
                    yield f"{relative}:{call.lineno} {function.name}: {chain[0]}.…{call.func.attr}()"


def test_every_bulk_write_to_a_tracked_model_writes_its_history():
    found = sorted(set(_bulk_writes_without_history()))
    assert found == [], ("use simple_history.utils.bulk_create_with_history, or call "
                         "fundportal.history.history_record_update after the update (or document why not)")


def test_payouts_created_in_bulk_and_moved_by_compare_and_set_have_their_history(signed, finance_a, finance_b):
    from assistance.payouts.services import batch_export, payout_batch_create

    resolution, *_ = signed
    batch = payout_batch_create(resolution=resolution, acting_user=finance_a)
    batch_export(batch=batch, acting_user=finance_a, file_format="csv")
    reconcile(batch, all_paid(batch), finance_b)
    for payout in batch.payouts.all():
        assert payout.state == Payout.State.PAID
        records = list(payout.history.order_by("history_id"))
        assert [(r.history_type, r.state) for r in records] == [("+", "pending"), ("~", "sent"), ("~", "paid")]
        assert records[0].history_user == finance_a and records[-1].history_user == finance_b
        assert records[-1].history_change_reason == "银行确认已支付"


# ------------------------------------------------------------------------------------ money as money

def test_money_in_history_reads_like_money(client, auditor, finance):
    assert value_text(FundAccount, "balance", Decimal("1428627.00")) == "1,428,627.00"
    assert value_text(Payout, "amount", Decimal("35000")) == "35,000.00"
    record(finance, amount="1428627.00")
    client.force_login(auditor)
    rows = client.get(reverse("audit_trail"), {"model": "fundportal.fundaccount"}).context["rows"]
    assert ("余额", "0.00", "1,428,627.00") in [c for r in rows for c in r.changes]
