"""English UI: the catalogue is complete, compiled, and used by the public pages and the admin.
Chinese UI: what Django and the libraries write in English has Chinese too.

The source language is Chinese (msgids are Chinese); locale/en holds the English. locale/zh_Hans
holds Chinese only for the English strings of Django and the libraries that their own zh_Hans
catalogues lack. The compiled django.mo files are committed so nobody needs gettext installed to
run the site.
"""
import ast
import gettext
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from donations.models import Donation, Donor, FiscalBill, Receipt
from fundportal.models import LedgerEntry, Region
from tests.donations.helpers import record
from tests.fixtures.factories import DonorFactory

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"
ZH_HANS_PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
CATALOGUES = pytest.mark.parametrize("po_file", [PO_FILE, ZH_HANS_PO], ids=["en", "zh_Hans"])
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
# %(name)s, %s, %d ... and {{ var }} / {name} must survive translation unchanged.
PLACEHOLDER = re.compile(r"%\([^)]+\)[#0 +-]*\d*(?:\.\d+)?[sdifr]|%[sdifr]|\{\{[^}]*\}\}|\{\w*\}")


def _po_entries(plural_forms: bool = False, po_file: Path = PO_FILE):
    """(msgid, msgstr, flags) for every live entry of the .po, header excluded.

    A deliberately small parser (no polib) for what gettext's tools write: entries are separated
    by blank lines; strings may continue on following "..." lines; obsolete "#~" lines are
    skipped, as msgfmt skips them.
    """
    entries = []
    for block in re.split(r"\n\s*\n", po_file.read_text(encoding="utf-8")):
        fields, field, flags = {}, None, set()
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#") or not line:
                continue
            elif line.startswith('"'):
                fields[field] += ast.literal_eval(line)
            else:
                field, _, rest = line.partition(" ")
                fields[field] = ast.literal_eval(rest)
        if fields.get("msgid"):
            # A plural entry (msgid_plural) has its forms in msgstr[0], msgstr[1]…
            forms = sorted(key for key in fields if key.startswith("msgstr["))
            msgstr = fields.get("msgstr", fields.get("msgstr[0]", ""))
            entries.append((fields["msgid"], msgstr, frozenset(flags), [fields[key] for key in forms]))
    return [(msgid, msgstr, flags) for msgid, msgstr, flags, _ in entries] if not plural_forms else entries


def test_the_catalogue_has_entries():
    assert len(_po_entries()) > 100


@CATALOGUES
def test_every_msgstr_is_filled_and_none_is_fuzzy(po_file):
    entries = _po_entries(po_file=po_file)
    assert [msgid for msgid, msgstr, _ in entries if not msgstr.strip()] == []
    assert [msgid for msgid, _, _, forms in _po_entries(plural_forms=True, po_file=po_file)
            if any(not f.strip() for f in forms)] == []
    assert [msgid for msgid, _, flags in entries if "fuzzy" in flags] == []


def test_no_english_msgstr_contains_chinese():
    assert [(msgid, msgstr) for msgid, msgstr, _ in _po_entries() if CJK.search(msgstr)] == []


@CATALOGUES
def test_placeholders_are_kept(po_file):
    wrong = [(msgid, msgstr) for msgid, msgstr, _ in _po_entries(po_file=po_file)
             if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(msgstr))]
    assert wrong == []


@CATALOGUES
def test_compiled_mo_is_up_to_date_with_the_po(po_file):
    """Run `manage.py compilemessages` after editing a .po, and commit the .mo.

    Compared by content, not by mtime: a fresh git checkout writes django.mo just before
    django.po, so an mtime test would fail on every clone although nothing was forgotten.
    """
    mo_file = po_file.with_suffix(".mo")
    assert mo_file.exists(), f"{mo_file} is missing: run compilemessages"
    with mo_file.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)._catalog
    compiled = {key: value for key, value in compiled.items() if key != ""}
    expected = {}
    for msgid, msgstr, flags, forms in _po_entries(plural_forms=True, po_file=po_file):
        if "fuzzy" in flags:
            continue
        if forms:  # gettext keys a plural entry's forms by (msgid, n)
            expected.update({(msgid, n): form for n, form in enumerate(forms)})
        else:
            expected[msgid] = msgstr
    stale = {msgid: (compiled.get(msgid), msgstr) for msgid, msgstr in expected.items()
             if compiled.get(msgid) != msgstr}
    assert stale == {}, f"{mo_file} does not match the .po: run `manage.py compilemessages`"
    assert set(compiled) == set(expected)


def test_model_names_follow_the_active_language():
    with translation.override("en"):
        assert str(Donor._meta.verbose_name) == "Donor"
        assert str(Donor._meta.get_field("uscc").verbose_name) == "Unified social credit code"
        assert str(Receipt._meta.verbose_name) == "Donation receipt"
        assert str(FiscalBill._meta.verbose_name) == "Official public-welfare donation bill"
        assert str(Receipt.Status.VOIDED.label) == "Voided"
        assert str(Donation.Status.RECEIVED.label) == "Received"
        assert str(LedgerEntry.Kind.REVERSAL.label) == "Reversal"
        assert str(Region.Level.TOWN.label) == "Town/subdistrict"
        assert str(Region.Level.VILLAGE.label) == "Village/community"
    with translation.override("zh-hans"):
        assert str(Donor._meta.verbose_name) == "捐赠方"
        assert str(Receipt.Status.VOIDED.label) == "已作废"


class _Page(HTMLParser):
    """Collects <label> texts, placeholders, and the visible text outside labels and the language switch."""

    def __init__(self):
        super().__init__()
        self.labels, self.placeholders, self.other_text = [], [], []
        self._in_label = self._in_lang_button = self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self._in_label = True
            self.labels.append("")
        elif tag == "button" and attrs.get("name") == "language":
            self._in_lang_button = True
        elif tag in ("script", "style"):
            self._in_script = True
        if attrs.get("placeholder"):
            self.placeholders.append(attrs["placeholder"])
        for name in ("title", "alt", "aria-label"):
            if attrs.get(name):
                self.other_text.append(attrs[name])

    def handle_endtag(self, tag):
        if tag == "label":
            self._in_label = False
        elif tag == "button":
            self._in_lang_button = False
        elif tag in ("script", "style"):
            self._in_script = False

    def handle_data(self, data):
        if self._in_label:
            self.labels[-1] += data
        elif not self._in_lang_button and not self._in_script:
            self.other_text.append(data)


def _parse(response) -> _Page:
    page = _Page()
    page.feed(response.content.decode())
    return page


@pytest.mark.django_db
def test_english_verify_page_is_in_english():
    response = Client().get("/en/receipts/verify/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Verify a donation receipt" in html
    assert ">Verify</button>" in html
    assert "Enter the number and verification code" in html
    assert 'value="zh-hans">中文</button>' in html  # the switch back names Chinese in Chinese
    # Everything the templates say is English (labels are checked in the next test).
    assert [text for text in _parse(response).other_text if CJK.search(text)] == []


@pytest.mark.django_db
def test_english_verify_form_labels_are_english():
    page = _parse(Client().get("/en/receipts/verify/"))
    assert len(page.labels) == 2
    assert [text for text in page.labels + page.placeholders if CJK.search(text)] == []
    assert [label.strip() for label in page.labels] == ["Receipt number", "Verification code"]


@pytest.mark.django_db
def test_default_verify_page_is_chinese():
    response = Client().get("/receipts/verify/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "捐赠收据核验" in html
    assert ">核验</button>" in html
    assert "Verify a donation receipt" not in html
    assert 'value="en">English</button>' in html
    assert [label.strip() for label in _parse(response).labels] == ["收据编号", "验证码"]


@pytest.mark.django_db
def test_english_verification_result(finance):
    receipt = record(finance, donor=DonorFactory()).receipts.get()
    response = Client().get("/en/receipts/verify/", {"n": receipt.number, "c": receipt.verification_code})
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("This receipt is valid", "Receipt number", "Donor", "Amount", "Date received", "Date issued",
                 "Download receipt (PDF)", "Verify another receipt"):
        assert text in html
    assert "收据有效" not in html


@pytest.mark.django_db
def test_english_not_found_message():
    response = Client().get("/en/receipts/verify/", {"n": "2000-000001", "c": "ABCDEFGH"})
    assert response.status_code == 404
    assert "No receipt matches this number and verification code" in response.content.decode()


@pytest.mark.django_db
def test_language_switch_goes_to_the_english_url():
    response = Client().post("/i18n/setlang/", {"language": "en", "next": "/receipts/verify/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/receipts/verify/"


@pytest.mark.django_db
def test_admin_login_renders_in_english():
    response = Client().get("/en/admin/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert "Username" in html and "Log in" in html
    assert "用户名" not in html


@pytest.mark.django_db
def test_admin_login_is_chinese_by_default():
    response = Client().get("/admin/login/")
    assert response.status_code == 200
    assert "用户名" in response.content.decode()


# ------------------------------------------------------------------ the admin in Chinese

# Names that stay as they are in Chinese text.
PROPER_NAMES = {"API", "CSV", "Token", "SHA", "JSON", "PDF", "IP", "HTTP", "GET", "POST", "URL", "ID", "Excel",
                "LDAP", "Control", "Mac", "Command"}
ADMIN_PAGES = ["/admin/", "/admin/axes/", "/admin/axes/accessattempt/", "/admin/axes/accessfailurelog/",
               "/admin/disclosure/statement/", "/admin/disclosure/statement/add/", "/admin/donations/donor/",
               "/admin/donations/donor/add/", "/admin/fundportal/user/add/", "/admin/password_change/",
               "/admin/assistance/documentaccess/", "/admin/auth/group/add/"]


class _AllText(HTMLParser):
    """Every text a person or a screen reader meets: text nodes (visually hidden captions too),
    titles, labels for images and buttons, placeholders."""

    def __init__(self):
        super().__init__()
        self.parts, self._script = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._script += tag in ("script", "style")
        self.parts += [attrs[name] for name in ("title", "alt", "aria-label", "placeholder") if attrs.get(name)]
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        self._script -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._script:
            self.parts.append(data)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_the_admin_in_chinese_shows_no_english_ui_words(admin_user, url):
    """Django 5.2's new admin texts and the libraries' (django-axes has no Chinese at all) come
    from the project's zh_Hans catalogue where their own has none."""
    client = Client()
    client.force_login(admin_user)
    response = client.get(url)
    assert response.status_code == 200
    page = _AllText()
    page.feed(response.content.decode())
    words = set(re.findall(r"[A-Za-z]{2,}", "\n".join(page.parts))) - PROPER_NAMES - {admin_user.username}
    assert words == set()


def test_the_chinese_catalogue_holds_only_the_libraries_english_strings():
    """locale/zh_Hans is not made by makemessages: the portal's own msgids are Chinese already, and
    a Chinese msgid there (makemessages -l zh_Hans, or -a) would only hide the real entries."""
    entries = _po_entries(plural_forms=True, po_file=ZH_HANS_PO)
    assert len(entries) > 50
    assert [msgid for msgid, *_ in entries if CJK.search(msgid)] == []
    assert [msgid for msgid, msgstr, _, forms in entries if not all(CJK.search(f) for f in forms or [msgstr])] == []


BEAT_ENGLISH = ["Task Name", "Human readable", "Crontab translation", "Scheduler", "must be set"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/admin/django_celery_beat/periodictask/", "/admin/django_celery_beat/periodictask/add/",
                                 "/admin/django_celery_beat/crontabschedule/", "/admin/django_celery_beat/crontabschedule/add/",
                                 "/admin/django_celery_beat/intervalschedule/add/"])
def test_the_scheduled_tasks_pages_name_their_fields_in_chinese(admin_user, url):
    """django-celery-beat writes these without gettext (fundportal/admin.py routes them through it)."""
    client = Client()
    client.force_login(admin_user)
    page = client.get(url).content.decode()
    assert [words for words in BEAT_ENGLISH if words in page] == []


@pytest.mark.django_db
@pytest.mark.parametrize("schedules, message", [
    ([], "须设置定时、间隔、Crontab 计划或日程事件中的一项。"),
    (["interval", "crontab"], "定时、间隔、Crontab 计划和日程事件只能设置其中一项"),
])
def test_a_scheduled_task_refused_for_its_schedule_says_why_in_chinese(admin_user, schedules, message):
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule

    chosen = {"interval": IntervalSchedule.objects.create(every=1, period="days").pk,
              "crontab": CrontabSchedule.objects.create(minute="0", hour="3").pk}
    client = Client()
    client.force_login(admin_user)
    data = {"name": "测试任务", "regtask": "", "task": "fundportal.tasks.jobs_requeue_task", "enabled": "on",
            "args": "[]", "kwargs": "{}", "headers": "{}", **{s: chosen[s] for s in schedules}}
    response = client.post("/admin/django_celery_beat/periodictask/add/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and "must be set" not in page
