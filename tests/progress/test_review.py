"""复核 on the progress page: the form only when the appeals stage says the family may ask (else
its reason), the request filed through appeal_submit_online, its state and deadline shown, the
decision's outcome without the decider's words, the case reopened at the right step; only a
browser that proved the code may file."""
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from assistance.appeals.services import appeal_decide
from assistance.models import Appeal
from assistance.progress.selectors import progress_of

from .helpers import determine, page_text, publicity_end, send, sign

pytestmark = pytest.mark.django_db
GROUNDS = "我家两人长期住院，收入已不足以维持生活，请求重新核查"


def look(client, application):
    return page_text(client.post("/progress/", {"n": application.number, "c": application.lookup_code}))


def file(client, application, grounds=GROUNDS):
    return client.post(reverse("progress:review"), {"n": application.number, "grounds": grounds})


def test_no_form_while_there_is_no_decision_to_review(client, application):
    text = look(client, application)
    assert 'action="/progress/review/"' not in text and "还没有可申请复核的决定" in text
    assert progress_of(application).review.can_ask is False


def test_a_refused_family_asks_for_a_review_and_sees_it_received(client, people, application):
    application = determine(people, application, eligible=False)
    text = look(client, application)
    assert 'action="/progress/review/"' in text and f'value="{application.number}"' in text

    response = file(client, application)
    assert response.status_code == 302 and response["Location"].endswith(f"?n={application.number}#review")
    appeal = Appeal.objects.get(application=application)
    assert (appeal.kind, appeal.channel, appeal.grounds, appeal.recorded_by) == (
        Appeal.Kind.ELIGIBILITY, Appeal.Channel.ONLINE, GROUNDS, None)
    text = page_text(client.get(response["Location"]))
    assert f"复核申请 {appeal.number}（对低收入资格认定申请复核）：待复核" in text
    assert f"{appeal.due_on:%Y-%m-%d}" in text and 'action="/progress/review/"' not in text
    assert "已有正在办理的复核" in text and GROUNDS not in text  # the grounds are the staff's to read

    again = file(client, application, "再次申请复核，请尽快处理")
    assert again.status_code == 400 and "已有正在办理的复核" in page_text(again)
    assert Appeal.objects.filter(application=application).count() == 1


def test_grounds_too_short_or_too_long_are_refused_with_a_clear_message(client, people, application):
    determine(people, application, eligible=False)
    look(client, application)
    short = file(client, application, "不服")
    assert short.status_code == 400 and "请填写复核理由（至少 5 个字）" in page_text(short)
    long = file(client, application, "理" * 1001)
    assert long.status_code == 400 and "1000" in page_text(long)
    assert not Appeal.objects.exists()


def test_a_review_needs_the_code_proved_in_this_browser(client, people, application):
    determine(people, application, eligible=False)
    assert file(client, application).status_code == 404
    assert not Appeal.objects.exists()


def test_a_reopened_case_shows_the_outcome_without_the_deciders_words_and_goes_back_to_verification(
        client, people, application, cab_city_colleague):
    determine(people, application, eligible=False)
    look(client, application)
    file(client, application)
    appeal_decide(appeal=Appeal.objects.get(), acting_user=cab_city_colleague, reopen=True,
                  reason="经复核，该户两人长期住院，支出型困难，撤销原认定")
    application.refresh_from_db()
    progress = progress_of(application)
    eligibility = progress.steps[1]
    assert (progress.current, eligibility.status, eligibility.note) == (
        "eligibility", "current", "复核后，民政部门正在重新核查认定")
    assert eligibility.date == timezone.localdate()
    shown = progress.review.appeals[0]
    assert (shown.state, shown.is_open, shown.decided_on) == ("撤销原决定，重新办理", False, timezone.localdate())
    text = look(client, application)
    assert "撤销原决定，重新办理" in text and "支出型困难" not in text


def test_the_amount_may_be_reviewed_until_the_money_is_on_its_way(client, people, application, scheme):
    determine(people, application)
    resolution = sign(people, scheme)
    assert progress_of(application).review.can_ask is True
    body = client.post("/api/public/progress/", {"number": application.number, "code": application.lookup_code}).json()
    assert body["review"] == {"can_ask": True, "refusal": None, "appeals": []}
    publicity_end(resolution)
    send(people, resolution)
    review = progress_of(application).review
    assert review.can_ask is False and re.search("已进入发放程序", review.refusal)
    assert 'action="/progress/review/"' not in look(client, application)
