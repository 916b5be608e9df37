"""English public pages speak English: every word the site writes is translated; Chinese remains
only in what the statements publish as names (donors, beneficiaries' masked names, towns, a
category the bureau added, a correction's own text) and in the link back to the Chinese pages."""
import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import translation

from disclosure.labels import donor_shown
from disclosure.models import Statement
from disclosure.services import statement_correct, title_shown
from tests.disclosure.helpers import publish

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]+")


class _Text(HTMLParser):
    """The visible text and the attributes people read, without elements marked as Chinese
    (lang="zh-hans": the link to the Chinese pages, a record quoted as written)."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._skip or attrs.get("lang") == "zh-hans" or tag in ("script", "style"):
            self._skip.append(tag)
            return
        self.parts += [attrs[name] for name in ("title", "alt", "aria-label", "placeholder") if attrs.get(name)]

    def handle_endtag(self, tag):
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def published_names(statements) -> set[str]:
    """What the statements publish as names, which no catalogue translates."""
    names = set()
    for statement in statements:
        content = statement.content
        if statement.kind == Statement.Kind.CORRECTION:
            names.add(content["notice"])
            continue
        names |= {row["donor"] for row in content["income"]["rows"] + content["pledges"]["rows"]}
        names |= {row[key] for row in content["payouts"]["rows"] for key in ("name", "town")}
    return {name for name in names if name and name != "匿名"}


def chinese_left(html: str, names: set[str]) -> list[str]:
    parser = _Text()
    parser.feed(html)
    text = "\n".join(parser.parts)
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, "")
    return sorted(set(CJK.findall(text)))


@pytest.fixture
def statements(history, finance_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        months = [publish("month", dt.date(2023, month, 1), finance_a) for month in (5, 6, 7)]
        year = publish("year", dt.date(2023, 1, 1), finance_a)
        correction = statement_correct(statement=months[0], notice="个人捐赠 500 元的日期应为 5 月 21 日。",
                                       acting_user=finance_a)
    return [*months, year, correction]


def test_english_public_pages_carry_no_chinese_but_published_names(statements):
    names = published_names(statements)
    client = Client()
    urls = ["/en/", "/en/disclosure/", "/en/disclosure/statements/", "/en/disclosure/verify/",
            "/en/receipts/verify/", *(f"/en/disclosure/statements/{s.sequence}/" for s in statements),
            "/en/no-such-page/"]
    left = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == (404 if "no-such" in url else 200), url
        html = (b"".join(response.streaming_content) if response.streaming else response.content).decode()
        assert '<html lang="en">' in html, url
        if found := chinese_left(html, names):
            left[url] = found
    assert left == {}


def test_an_anonymous_gift_is_shown_as_anonymous_on_english_pages_and_published_in_chinese(statements):
    june = statements[1]
    assert [row["donor"] for row in june.content["income"]["rows"]] == ["匿名"]  # the document stays Chinese
    page = b"".join(Client().get(f"/en/disclosure/statements/{june.sequence}/").streaming_content).decode()
    assert "<td>Anonymous</td>" in page and "匿名" not in page
    with translation.override("en"):
        assert donor_shown("匿名") == "Anonymous"
        assert donor_shown("瑞安市人民医院") == "瑞安市人民医院"
        assert donor_shown("单位") == "单位"  # a name is never looked up in the catalogue


def test_a_month_statement_title_names_the_month_in_english(statements):
    with translation.override("en"):
        assert title_shown(statements[0]) == "Statement for May 2023"
        assert title_shown(statements[3]) == "Statement for the year 2023"
        assert title_shown(statements[4]) == 'Correction notice to "Statement for May 2023"'
    with translation.override("zh-hans"):
        assert title_shown(statements[0]) == "2023年5月收支公示" == statements[0].title


def test_the_overview_counts_donors_and_people_in_whole_sentences(statements):
    page = b"".join(Client().get("/en/disclosure/").streaming_content).decode()
    tiles = [" ".join(re.sub(r"<[^>]+>", " ", tile).split())
             for tile in re.findall(r'<div class="tile">(.*?)</div>', page, re.S)]
    assert "Donors 3 (each anonymous gift counts as one)" in tiles
    assert "People assisted 2" in tiles
