"""Each 公示's objection counts reach the public in the next published statement of each kind
(disclosure/publicity.py): a 公示 is listed once per kind, by the first statement whose period end
is on or after its own end; counts only, never anyone's data. Statements published before the
section existed keep verifying exactly as they were published."""
import datetime as dt
import json
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

import disclosure.services as services
from assistance.models import Objection, Publicity, Resolution
from disclosure.models import Statement
from disclosure.publicity import SECTION, content_format
from disclosure.services import chain_problems, statement_correct, statement_publish
from tests.disclosure.helpers import build, publish, verify_command
from tests.fixtures.factories import ObjectionFactory, PublicityEntryFactory, PublicityFactory

pytestmark = pytest.mark.django_db
State = Objection.State
ROW_KEYS = {"publicity", "resolution", "starts_on", "ends_on", "entries", "received", "upheld", "dismissed", "open"}
OBJECTOR = {"objector_name": "王秀英", "contact": "13857712345", "content": "该户在城区另有商品房两套，经济条件较好"}


def objection(entry, state, officer, **fields):
    decided = {} if state in Objection.OPEN_STATES else {
        "decision_reason": "经入户核查，情况属实" if state == State.UPHELD else "经入户核查，反映情况不属实",
        "decided_by": officer, "decided_at": timezone.now()}
    return ObjectionFactory(entry=entry, region=entry.region, state=state, received_on=dt.date(2023, 6, 12),
                            **{**OBJECTOR, **decided, **fields})


@pytest.fixture
def june_publicity(history, cab_city):
    """The history's 公示 (resolution 2023-第1号, 10–16 June 2023, two families) with three objections:
    one dismissed, one upheld, one still being investigated."""
    publicity = Publicity.objects.get()
    first, second = publicity.entries.order_by("line")
    objection(first, State.DISMISSED, cab_city)
    objection(second, State.UPHELD, cab_city)
    objection(second, State.INVESTIGATING, cab_city)
    return publicity


@pytest.fixture
def running_at_june_end(history, secretary):
    """A 公示 posted on 28 June 2023 that ran until 4 July: still running when June ended."""
    publicity = PublicityFactory(starts_on=dt.date(2023, 6, 28), ends_on=dt.date(2023, 7, 4))
    PublicityEntryFactory(publicity=publicity)
    # Signed once its item is in (a signed resolution takes no new items), as resolution_sign does.
    Resolution.objects.filter(pk=publicity.resolution_id).update(
        year=2023, sequence=2, signed_by=secretary, signed_at=timezone.now(), approved="35000.00")
    return Publicity.objects.get(pk=publicity.pk)


def rows(statement) -> list[dict]:
    return statement.content[SECTION]["rows"]


def by_resolution(statement) -> dict[str, dict]:
    return {row["resolution"]: row for row in rows(statement)}


def test_a_publicity_ended_in_june_is_in_the_june_statement_with_its_counts_and_not_again_in_july(
        june_publicity, finance_a):
    may, june, july = (publish("month", dt.date(2023, month, 1), finance_a) for month in (5, 6, 7))
    assert rows(may) == []  # its period had not begun by the end of May
    assert rows(june) == [{"publicity": june_publicity.pk, "resolution": "2023-第1号", "starts_on": "2023-06-10",
                           "ends_on": "2023-06-16", "entries": 2, "received": 3, "upheld": 1, "dismissed": 1,
                           "open": 1}]
    assert june.content[SECTION]["totals"] == {"entries": 2, "received": 3, "upheld": 1, "dismissed": 1, "open": 1}
    assert rows(july) == [] and content_format(june.content) == 2
    document = json.loads(june.document)  # in the hashed text, so in the chain
    assert document["content"][SECTION] == june.content[SECTION]
    assert chain_problems() == []


def test_a_publicity_still_running_at_the_period_end_waits_for_the_next_statement(
        june_publicity, running_at_june_end, finance_a):
    june = publish("month", dt.date(2023, 6, 1), finance_a)
    assert set(by_resolution(june)) == {"2023-第1号"}
    july = publish("month", dt.date(2023, 7, 1), finance_a)
    assert by_resolution(july) == {"2023-第2号": {
        "publicity": running_at_june_end.pk, "resolution": "2023-第2号", "starts_on": "2023-06-28",
        "ends_on": "2023-07-04", "entries": 1, "received": 0, "upheld": 0, "dismissed": 0, "open": 0}}


def test_each_kind_lists_a_publicity_once_and_the_year_statement_lists_the_years(
        june_publicity, running_at_june_end, finance_a):
    for month in (5, 6, 7):
        publish("month", dt.date(2023, month, 1), finance_a)
    second_quarter = publish("quarter", dt.date(2023, 4, 1), finance_a)
    third_quarter = publish("quarter", dt.date(2023, 7, 1), finance_a)
    year = publish("year", dt.date(2023, 1, 1), finance_a)
    assert set(by_resolution(second_quarter)) == {"2023-第1号"}
    assert set(by_resolution(third_quarter)) == {"2023-第2号"}
    assert [row["resolution"] for row in rows(year)] == ["2023-第1号", "2023-第2号"]  # in the order they ended
    assert by_resolution(year)["2023-第1号"] == by_resolution(second_quarter)["2023-第1号"]
    assert year.content[SECTION]["totals"] == {"entries": 3, "received": 3, "upheld": 1, "dismissed": 1, "open": 1}


def without_section(statement_content):
    """statement_content as it was before the section existed (format 1)."""
    def old(*args, **kwargs):
        content = statement_content(*args, **kwargs)
        return {key: value for key, value in content.items() if key not in (SECTION, "format")}
    return old


def publish_old_format(kind, day, user, monkeypatch) -> Statement:
    """A statement published the way they were before the section existed (format 1)."""
    with monkeypatch.context() as patched:
        patched.setattr(services, "statement_content", without_section(services.statement_content))
        return publish(kind, day, user)


def test_a_publicity_ended_in_a_month_published_before_the_section_existed_is_caught_up_by_the_next(
        june_publicity, finance_a, monkeypatch):
    june = publish_old_format("month", dt.date(2023, 6, 1), finance_a, monkeypatch)
    assert SECTION not in june.content
    july = publish("month", dt.date(2023, 7, 1), finance_a)
    assert set(by_resolution(july)) == {"2023-第1号"}
    august = publish("month", dt.date(2023, 8, 1), finance_a)
    assert rows(august) == []  # July's lists it: never twice in one kind


def test_two_statements_that_would_both_catch_up_a_publicity_never_both_list_it(
        june_publicity, finance_a, monkeypatch):
    publish_old_format("month", dt.date(2023, 6, 1), finance_a, monkeypatch)
    july, august = (build("month", dt.date(2023, month, 1), finance_a) for month in (7, 8))
    assert set(by_resolution(july)) == set(by_resolution(august)) == {"2023-第1号"}  # neither published yet
    statement_publish(statement=july, acting_user=finance_a)
    with pytest.raises(ValidationError, match="公示及异议处理情况有变动"):
        statement_publish(statement=august, acting_user=finance_a)
    assert rows(publish("month", dt.date(2023, 8, 1), finance_a)) == []


def test_statements_built_together_each_list_only_the_publicity_ended_in_their_period(
        june_publicity, running_at_june_end, finance_a):
    june, july, august = (build("month", dt.date(2023, month, 1), finance_a) for month in (6, 7, 8))
    for statement in (august, june, july):  # published in any order: nothing to compete for
        statement_publish(statement=statement, acting_user=finance_a)
    assert [set(by_resolution(s)) for s in (june, july, august)] == [{"2023-第1号"}, {"2023-第2号"}, set()]


def test_a_custom_statement_lists_the_publicity_ended_within_its_period(june_publicity, finance_a):
    custom = services.statement_request(kind=Statement.Kind.CUSTOM, period_start=dt.date(2023, 6, 15),
                                        period_end=dt.date(2023, 6, 30), acting_user=finance_a)
    custom = services.statement_build(statement_id=custom.pk)
    assert set(by_resolution(custom)) == {"2023-第1号"}
    publish("month", dt.date(2023, 6, 1), finance_a)
    assert set(by_resolution(services.statement_build(statement_id=services.statement_request(
        kind=Statement.Kind.CUSTOM, period_start=dt.date(2023, 6, 17), period_end=dt.date(2023, 6, 30),
        acting_user=finance_a).pk))) == set()  # ended the day before this period began


def test_an_objection_decided_after_the_build_makes_the_statement_be_built_again(
        june_publicity, finance_a, cab_city):
    june = build("month", dt.date(2023, 6, 1), finance_a)
    Objection.objects.filter(state=State.INVESTIGATING).update(
        state=State.DISMISSED, decision_reason="经核查不属实", decided_by=cab_city, decided_at=timezone.now())
    with pytest.raises(ValidationError, match="公示及异议处理情况有变动"):
        statement_publish(statement=june, acting_user=finance_a)
    june = publish("month", dt.date(2023, 6, 1), finance_a)
    row = by_resolution(june)["2023-第1号"]
    assert (row["received"], row["upheld"], row["dismissed"], row["open"]) == (3, 1, 2, 0)


def test_statements_published_in_the_old_format_still_verify_and_show_as_published(
        june_publicity, finance_a, monkeypatch, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with monkeypatch.context() as patched:
            patched.setattr(services, "statement_content", without_section(services.statement_content))
            may = publish("month", dt.date(2023, 5, 1), finance_a)
            old_built = build("month", dt.date(2023, 6, 1), finance_a)
        assert SECTION not in may.content and content_format(may.content) == 1
        # Built the old way, published the new way: refused until built again.
        with pytest.raises(ValidationError, match="公示及异议处理情况有变动"):
            statement_publish(statement=old_built, acting_user=finance_a)
        june = publish("month", dt.date(2023, 6, 1), finance_a)
        correction = statement_correct(statement=may, notice="个人捐赠 500 元的日期应为 5 月 21 日。",
                                       acting_user=finance_a)
    assert june.previous_id == may.pk and correction.previous_id == june.pk and SECTION not in correction.content
    assert verify_command() == (True, "") and chain_problems() == []
    client = Client()
    may_page = b"".join(client.get(f"/disclosure/statements/{may.sequence}/").streaming_content).decode()
    june_page = b"".join(client.get(f"/disclosure/statements/{june.sequence}/").streaming_content).decode()
    assert "公示及异议处理情况" not in may_page and "公示及异议处理情况" in june_page
    assert b"".join(client.get(f"/disclosure/statements/{may.sequence}/statement.json").streaming_content).decode() == may.document


def test_the_statement_page_pdf_and_json_show_the_counts_in_chinese_and_english(
        june_publicity, finance_a, django_capture_on_commit_callbacks):
    from pypdf import PdfReader

    with django_capture_on_commit_callbacks(execute=True):
        june = publish("month", dt.date(2023, 6, 1), finance_a)
    client = Client()
    page = b"".join(client.get(f"/disclosure/statements/{june.sequence}/").streaming_content).decode()
    section = page[page.index("公示及异议处理情况"):]
    assert "2023-第1号" in section and "2023-06-10" in section and "收到异议" in section
    english = b"".join(client.get(f"/en/disclosure/statements/{june.sequence}/").streaming_content).decode()
    assert "Public notices and objections" in english and "Objections received" in english
    assert "No. 1 of 2023" in english and "2023-第1号" not in english
    pdf = b"".join(client.get(f"/disclosure/statements/{june.sequence}/statement.pdf").streaming_content)
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages).replace("\n", "").replace(" ", "")
    assert "公示及异议处理情况" in text and "2023-第1号" in text
    api = client.get(f"/api/public/statements/{june.sequence}/").json()
    assert api["content"][SECTION] == june.content[SECTION]


def test_the_section_holds_counts_only_never_anyones_data(june_publicity, history, finance_a,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        june = publish("month", dt.date(2023, 6, 1), finance_a)
    assert {key for row in rows(june) for key in row} == ROW_KEYS
    assert all(isinstance(row[key], int) for row in rows(june) for key in ROW_KEYS - {"resolution", "starts_on",
                                                                                      "ends_on"})
    published = json.dumps(june.content[SECTION], ensure_ascii=False)
    people = [history[key].person for key in ("first", "second")]
    secrets = [*OBJECTOR.values(), *(o.number for o in Objection.objects.all()),
               *(o.lookup_code for o in Objection.objects.all()), *(p.name for p in people),
               *(p.resident_id for p in people), *(e.shown_name for e in june_publicity.entries.all())]
    assert [secret for secret in secrets if secret in published] == []
    page = b"".join(Client().get(f"/disclosure/statements/{june.sequence}/").streaming_content).decode()
    section = page[page.index("公示及异议处理情况"):page.index("</section>", page.index("公示及异议处理情况"))]
    assert [secret for secret in secrets if secret in section] == []


def test_the_publisher_sees_the_counts_before_publishing(june_publicity, finance_a, client):
    june = build("month", dt.date(2023, 6, 1), finance_a)
    client.force_login(finance_a)
    page = client.get(f"/admin/disclosure/statement/{june.pk}/change/").content.decode()
    assert "公示及异议处理情况" in page and "2023-第1号" in page and "3 / 1 / 1 / 1" in page
