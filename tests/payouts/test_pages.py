"""The secretary's and finance's pages and the resolutions API: each action through its service,
a signed resolution that no page or endpoint can change, and each role kept to its own work."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from assistance.models import CouncilMember, Meeting, Payout, PayoutBatch, Resolution
from assistance.payouts.services import batch_export, payout_batch_create

from tests.fixtures.council import fund, ready_application
from .helpers import all_paid

pytestmark = pytest.mark.django_db


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_the_secretary_records_a_meeting_drafts_and_signs_in_the_admin(client, secretary, clerk, town, scheme,
                                                                       finance_a):
    fund("100000", finance_a)
    application = ready_application(clerk, town, out_of_pocket="55000")
    client.force_login(secretary)
    members = list(CouncilMember.objects.order_by("order"))
    data = {"held_on": "2023-06-01", "title": "2023年第二次理事会", "place": "市慈善总会", "agenda": "审议救助名单",
            "minutes": "", **{f"member_{m.pk}": "" for m in members}}
    data.update({f"member_{m.pk}": f"{m.name}代表" for m in members[:3]})
    response = client.post(reverse("admin:assistance_meeting_add"), data, follow=True)
    assert "成员单位 5 家，出席 3 家，须 3 家" in response.content.decode()
    meeting = Meeting.objects.get()
    response = client.post(reverse("admin:assistance_resolution_add") + f"?meeting={meeting.pk}",
                           {"kind": "payouts", "scheme": scheme.pk, "over_budget": "pro_rata", "order": "submitted",
                            "title": "", "text": ""})
    resolution = Resolution.objects.get()
    assert response.url == reverse("admin:assistance_resolution_change", args=[resolution.pk])
    page = client.get(response.url).content.decode()
    assert application.number in page and "35,000.00" in page and "100,000.00" in page
    assert application.person.name not in page  # masked
    client.post(reverse("admin:assistance_resolution_action", args=[resolution.pk, "sign"]))
    resolution.refresh_from_db()
    assert resolution.number == "2023-第1号"
    page = client.get(reverse("admin:assistance_resolution_change", args=[resolution.pk])).content.decode()
    assert 'id="sign"' not in page and "不予救助的理由" not in page


def test_a_signed_resolution_cannot_be_changed_through_the_admin(client, signed, secretary):
    resolution = signed[0]
    client.force_login(secretary)
    url = reverse("admin:assistance_resolution_change", args=[resolution.pk])
    assert client.post(url, {"title": "改"}).status_code == 405
    item = resolution.items.first()
    response = client.post(reverse("admin:assistance_resolution_item", args=[item.pk, "reject"]),
                           {"reason": "改变主意"}, follow=True)
    assert "已签署，不能修改" in _messages(response)
    for action in ("recompute", "delete", "sign"):
        response = client.post(reverse("admin:assistance_resolution_action", args=[resolution.pk, action]),
                               follow=True)
        assert "已签署，不能修改" in _messages(response)
    assert client.post(reverse("admin:assistance_resolution_delete", args=[resolution.pk])).status_code == 403
    fresh = Resolution.objects.get(pk=resolution.pk)
    assert (fresh.title, fresh.approved, fresh.items.get(pk=item.pk).amount) == (
        resolution.title, resolution.approved, item.amount)


def test_a_signed_resolution_cannot_be_changed_through_the_api(client, signed, secretary):
    resolution = signed[0]
    client.force_login(secretary)
    url = reverse("api-resolution", args=[resolution.pk])
    body = client.get(url).json()
    assert body["number"] == "2023-第1号" and len(body["items"]) == 2
    assert all("*" in item["name"] for item in body["items"])
    for method in (client.put, client.patch, client.delete):
        assert method(url, {"title": "改"}, content_type="application/json").status_code == 405
    response = client.post(reverse("api-resolution-sign", args=[resolution.pk]))
    assert response.status_code == 400 and "已签署，不能修改" in response.content.decode()
    assert Resolution.objects.get(pk=resolution.pk).title == resolution.title


@pytest.mark.parametrize("persona", ["clerk", "msb"])
def test_other_roles_do_not_see_resolutions_or_batches(request, client, signed, finance_a, persona):
    batch = payout_batch_create(resolution=signed[0], acting_user=finance_a)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("api-resolutions")).status_code == 403
    # Their pages do not exist for roles that may not view them (a 404; was a 403); adding is refused.
    for url in (reverse("admin:assistance_resolution_change", args=[signed[0].pk]),
                reverse("admin:assistance_payoutbatch_change", args=[batch.pk])):
        assert client.get(url).status_code == 404
    assert client.get(reverse("admin:assistance_meeting_add")).status_code == 403
    response = client.post(reverse("admin:assistance_payoutbatch_export", args=[batch.pk, "csv"]), follow=True)
    assert "没有导出银行转账文件的权限" in _messages(response) or response.status_code == 403
    assert not Payout.objects.filter(state="sent").exists()


def test_finance_makes_exports_and_reconciles_a_batch_in_the_admin(client, signed, finance_a, finance_b,
                                                                   django_capture_on_commit_callbacks):
    resolution = signed[0]
    client.force_login(finance_a)
    response = client.post(reverse("admin:assistance_resolution_action", args=[resolution.pk, "batch"]))
    batch = PayoutBatch.objects.get()
    assert response.url == reverse("admin:assistance_payoutbatch_change", args=[batch.pk])
    response = client.post(reverse("admin:assistance_payoutbatch_export", args=[batch.pk, "xlsx"]))
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 3 and response["Content-Disposition"] == f'attachment; filename="{batch.number}.xlsx"'
    page = client.get(reverse("admin:assistance_payoutbatch_change", args=[batch.pk])).content.decode()
    assert "本批次由您制单，银行回单须由其他财务人员导入确认" in page and 'id="upload-result"' not in page
    client.force_login(finance_b)
    upload = SimpleUploadedFile("回单.csv", all_paid(batch), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):  # the task is queued on commit
            response = client.post(reverse("admin:assistance_payoutbatch_result", args=[batch.pk]), {"file": upload},
                               follow=True)
    assert "正在逐笔对账" in _messages(response)
    batch.refresh_from_db()
    assert batch.state == PayoutBatch.State.SETTLED
    page = client.get(reverse("admin:assistance_payoutbatch_change", args=[batch.pk])).content.decode()
    assert "已全部对账" in page and "56,000.00" in page


def test_the_application_shows_the_decision_amount_breakdown_and_payment(client, signed, finance_a, finance_b,
                                                                         clerk, auditor):
    resolution, first, _second = signed
    batch = payout_batch_create(resolution=resolution, acting_user=finance_a)
    batch_export(batch=batch, acting_user=finance_a)
    from .helpers import reconcile

    reconcile(batch, all_paid(batch), finance_b)
    client.force_login(clerk)
    page = client.get(reverse("workspace:application", args=[first.number])).content.decode()
    assert "2023-第1号" in page and "35,000.00" in page and "测算明细" in page and "已到账" in page
    client.force_login(auditor)
    page = client.get(reverse("admin:assistance_application_change", args=[first.pk])).content.decode()
    assert "2023-第1号" in page and "救助金已发放" in page


def test_the_secretary_sees_applications_ready_or_decided_and_finance_none(client, signed, secretary, finance_a,
                                                                          clerk, town):
    from assistance.models import Application

    _resolution, first, _second = signed
    waiting = ready_application(clerk, town, out_of_pocket="1000")
    Application.objects.filter(pk=waiting.pk).update(state=Application.State.UNDER_REVIEW)
    client.force_login(secretary)
    assert client.get(reverse("admin:assistance_application_change", args=[first.pk])).status_code == 200
    # Outside what the secretary's admin lists: a 404, as if it did not exist (was Django's redirect).
    assert client.get(reverse("admin:assistance_application_change", args=[waiting.pk])).status_code == 404
    client.force_login(finance_a)  # may not view applications: their pages do not exist for them (was a 403)
    assert client.get(reverse("admin:assistance_application_change", args=[first.pk])).status_code == 404


def test_breakdown_figures_are_shown_as_money_and_percentages():
    from assistance.templatetags.breakdown import percent, yuan

    assert (yuan("136475.86"), yuan("28799.2320"), yuan(None)) == ("136,475.86", "28,799.23", "")
    assert (percent("0.7000"), percent("0.725"), percent("1")) == ("70%", "72.5%", "100%")
