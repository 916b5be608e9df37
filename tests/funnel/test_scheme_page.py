"""The public scheme page (/disclosure/scheme/, /en/…, /api/public/scheme/): the approved scheme in
force — deductibles, ratios by category, the annual cap, the rounding — with a worked example that
is the scheme's own computation, and how to apply, all from the approved record; drafts never
public; every approved version listed. The council's form drafts the how-to-apply part, and an
approved scheme's never changes (a new version copies it)."""
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assistance.council.schemes import GUIDE_FIELDS, scheme_create, scheme_new_version, scheme_update
from assistance.council.services import resolution_draft_scheme, resolution_sign
from assistance.models import EligibilityCategory, Scheme
from assistance.schemes import compute
from disclosure.scheme_page import EXAMPLE_OUT_OF_POCKET, scheme_in_force
from fundportal.money import format_money
from tests.fixtures.council import meeting_with_quorum

pytestmark = pytest.mark.django_db
D = Decimal
GUIDE = {"who_may_apply": "本市户籍、参加本市基本医疗保险的低收入家庭",
         "documents": "身份证\n\n  户口簿  \n医疗费用发票及清单\n外省就医的出院小结",
         "where_to_apply": "各乡镇（街道）红十字会受理点", "apply_from": dt.date(2023, 8, 1),
         "apply_until": dt.date(2023, 12, 31), "enquiry_phone": "0577-65812345"}


def rules(**changes):
    special = EligibilityCategory.objects.get(name="特困人员")
    return [{"category": special, "deductible": D("5000"), "bands": [(0, 50000, D("0.7")), (50000, None, D("0.8"))]},
            {"category": None, "deductible": D("15000"), "bands": [(0, None, D("0.5"))]}]


def approved(secretary, *, year=2022, rules_=None, **fields) -> Scheme:
    """A scheme approved as the council approves one: by a signed resolution."""
    scheme = scheme_create(acting_user=secretary, year=year, name="慈善医疗救助方案",
                           annual_cap=fields.pop("annual_cap", D("100000")), rules=rules_ or rules(),
                           **{**GUIDE, **fields})
    resolution_sign(resolution=resolution_draft_scheme(meeting=meeting_with_quorum(secretary), scheme=scheme,
                                                       acting_user=secretary), acting_user=secretary)
    scheme.refresh_from_db()
    return scheme


def page(url: str) -> str:
    response = Client().get(url)
    assert response.status_code == 200, url
    assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=60"} and not response.cookies
    return response.content.decode()


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_page_shows_the_approved_scheme_how_to_apply_and_its_worked_example(secretary):
    scheme = approved(secretary)
    html = page("/disclosure/scheme/")
    words = text(html)
    assert "慈善医疗救助方案" in words and "100,000.00" in words and "取整到元" in words
    assert "特困人员 起付标准 5,000.00 元 起付标准以上部分：0.00–50,000.00 元 70%；50,000.00 元以上 80%" in words
    assert "其他所有类别 起付标准 15,000.00 元 起付标准以上部分：全部 50%" in words
    assert "2023-第1号" in words  # the resolution that approved it
    assert [item for item in re.findall(r"<li>([^<]+)</li>", html.split('class="documents"')[1].split("</ol>")[0])] \
        == ["身份证", "户口簿", "医疗费用发票及清单", "外省就医的出院小结"]  # one per line, blanks dropped
    assert GUIDE["where_to_apply"] in words and "2023-08-01 — 2023-12-31" in words and "0577-65812345" in words
    # The example: 80,000 − 0 + 0 = 80,000; − 5,000 = 75,000; 50,000 × 70 % + 25,000 × 80 % = 55,000.
    example = compute(scheme.terms(), category_id=EligibilityCategory.objects.get(name="特困人员").pk,
                      out_of_pocket=EXAMPLE_OUT_OF_POCKET)
    assert example.amount == D("55000.00")
    for step in ("个人自付 80,000.00 − 其他渠道已救助 0.00 + 医保结算以外的费用 0.00 = 80,000.00 元",
                 "80,000.00 − 5,000.00 = 75,000.00", "起付标准以上 0.00–50,000.00 元的部分：50,000.00 × 70% = 35,000.00",
                 "起付标准以上超过 50,000.00 元的部分：25,000.00 × 80% = 20,000.00", "55,000.00 元"):
        assert step in words, step
    assert "救助金额：55,000.00 元" in words
    # The same cost under the rule of every other category: (80,000 − 15,000) × 50 %.
    assert "32,500.00" in words


@pytest.mark.parametrize("cap, rounding, bands, deductible", [
    (D("100000"), "yuan", [(0, 20000, D("0.65")), (20000, 60000, D("0.75")), (60000, None, D("0.9"))], D("3333")),
    (D("30000"), "fen", [(0, None, D("0.555"))], D("0")),  # capped, to the fen
    (D("100000"), "yuan", [(0, 5000, D("0.333")), (5000, None, D("0.5"))], D("78000")),  # most under the deductible
])
def test_the_worked_example_is_the_schemes_own_computation(secretary, cap, rounding, bands, deductible):
    scheme = approved(secretary, annual_cap=cap, rounding=rounding,
                      rules_=[{"category": None, "deductible": deductible, "bands": bands}])
    example = compute(scheme.terms(), category_id=None, out_of_pocket=EXAMPLE_OUT_OF_POCKET)
    html = page("/disclosure/scheme/")
    assert re.search(r'id="example-amount">[^<]*?([0-9,]+\.[0-9]{2})', html).group(1) == format_money(example.amount)
    words = text(html)
    for line in example.bands:
        assert f"{format_money(line.base)} × " in words and format_money(line.amount.quantize(D("0.01"))) in words
    api = Client().get("/api/public/scheme/").json()
    assert api["example"]["amount"] == str(example.amount) and api["example"]["computed"] == str(example.computed)
    assert ("未超过年度救助限额" not in words) == example.capped


def test_drafts_are_never_public(secretary):
    client = Client()
    scheme_create(acting_user=secretary, year=2022, name="草案", annual_cap=D("50000"), rules=rules(), **GUIDE)
    assert client.get("/disclosure/scheme/").status_code == 404
    assert client.get("/api/public/scheme/").status_code == 404
    assert client.get("/disclosure/scheme/2022/1/").status_code == 404
    first = approved(secretary)  # version 2
    draft = scheme_new_version(scheme=first, acting_user=secretary)  # version 3, a draft
    draft = scheme_update(scheme=draft, acting_user=secretary, name="调整中的草案")
    assert "调整中的草案" not in page("/disclosure/scheme/") and client.get("/disclosure/scheme/2022/3/").status_code == 404
    for url in ("/disclosure/scheme/2022/99/", "/disclosure/scheme/abc/1/", "/en/disclosure/scheme/2022/3/"):
        assert client.get(url).status_code == 404


def test_every_approved_version_is_listed_and_has_a_page(secretary):
    first = approved(secretary)
    second = approved(secretary, annual_cap=D("120000"))
    assert scheme_in_force() == second
    html = page("/disclosure/scheme/")
    assert "120,000.00" in html and reverse("disclosure:scheme_version", args=[2022, first.version]) in html
    old = page(f"/disclosure/scheme/2022/{first.version}/")
    assert "这是一个已批准的历史版本" in old and "100,000.00" in old
    assert Client().get("/api/public/scheme/").json()["versions"][0]["version"] == second.version


def test_the_scheme_in_force_is_the_latest_approved_for_the_current_cost_year(secretary):
    for year in (2022, 2023, 2024):
        approved(secretary, year=year)
    assert scheme_in_force(dt.date(2024, 3, 1)).year == 2023  # 2024's assistance, 2023's costs
    assert scheme_in_force(dt.date(2025, 3, 1)).year == 2024
    assert scheme_in_force(dt.date(2030, 3, 1)).year == 2024  # nothing newer approved
    assert scheme_in_force(dt.date(2022, 3, 1)).year == 2024  # none that old: the latest there is


def test_an_earlier_years_scheme_says_this_years_is_not_approved_yet(secretary):
    approved(secretary, year=timezone.localdate().year - 3)
    assert "尚未经理事会批准" in page("/disclosure/scheme/")


def test_the_english_page_and_the_api(secretary):
    scheme = approved(secretary)
    html = page("/en/disclosure/scheme/")
    assert 'lang="en"' in html and 'href="/disclosure/scheme/"' in html and "Persons in extreme poverty" in html
    data = Client().get("/api/public/scheme/").json()
    assert (data["year"], data["version"], data["annual_cap"], data["resolution"]) == (2022, scheme.version,
                                                                                        "100000.00", "2023-第1号")
    assert data["how_to_apply"]["documents"] == ["身份证", "户口簿", "医疗费用发票及清单", "外省就医的出院小结"]
    assert data["how_to_apply"]["apply_from"] == "2023-08-01" and data["in_force"] is True
    assert data["rules"][0] == {"category": "特困人员", "deductible": "5000.00", "bands": [
        {"lower": "0.00", "upper": "50000.00", "ratio": "0.7"}, {"lower": "50000.00", "upper": None, "ratio": "0.8"}]}


def test_every_public_page_links_the_scheme(secretary):
    approved(secretary)
    for url in ("/publicity/", "/progress/", "/en/progress/"):
        assert 'href="/disclosure/scheme/"' in Client().get(url).content.decode() or \
            'href="/en/disclosure/scheme/"' in Client().get(url).content.decode()


# --- the council's side: drafted with the scheme, never changed once approved ------------------

def test_the_secretary_drafts_how_to_apply_in_the_scheme_form(client, secretary):
    client.force_login(secretary)
    form_page = client.get(reverse("admin:assistance_scheme_add")).content.decode()
    assert all(f'name="{name}"' in form_page for name in GUIDE_FIELDS)
    special = EligibilityCategory.objects.get(name="特困人员")
    form = {"year": 2022, "name": "慈善医疗救助方案", "annual_cap": "50000", "rounding": "yuan", "count_extra_costs": "on",
            "notes": "", "who_may_apply": "低收入家庭", "documents": "身份证\r\n户口簿", "where_to_apply": "红十字会",
            "apply_from": "2023-08-01", "apply_until": "2023-07-01", "enquiry_phone": "0577-65812345",
            "rules-TOTAL_FORMS": 2, "rules-INITIAL_FORMS": 0, "rules-0-category": special.pk,
            "rules-0-deductible": "5000", "rules-0-uppers": "", "rules-0-ratios": "70",
            "rules-1-category": "", "rules-1-deductible": "10000", "rules-1-uppers": "", "rules-1-ratios": "50"}
    bad = client.post(reverse("admin:assistance_scheme_add"), form)
    assert bad.status_code == 200 and "受理截止日期不能早于受理开始日期" in bad.content.decode()
    assert not Scheme.objects.exists() and "低收入家庭" in bad.content.decode()  # what was typed is kept
    assert client.post(reverse("admin:assistance_scheme_add"), {**form, "apply_until": "2023-12-31"}).status_code == 302
    scheme = Scheme.objects.get()
    assert (scheme.documents, scheme.apply_until) == ("身份证\n户口簿", dt.date(2023, 12, 31))


def test_an_approved_schemes_how_to_apply_is_never_changed_and_a_new_version_copies_it(client, secretary, finance):
    scheme = approved(secretary)
    draft = scheme_create(acting_user=secretary, year=2023, name="草案", annual_cap=D("50000"), rules=rules())
    with pytest.raises(PermissionDenied):  # only the council's secretary drafts
        scheme_update(scheme=draft, acting_user=finance, documents="身份证")
    for field, value in (("documents", "身份证"), ("enquiry_phone", "110"), ("apply_until", dt.date(2024, 1, 31))):
        with pytest.raises(ValidationError, match="已经理事会批准，不能修改"):
            scheme_update(scheme=scheme, acting_user=secretary, **{field: value})
    scheme.refresh_from_db()
    assert scheme.documents == "身份证\n户口簿\n医疗费用发票及清单\n外省就医的出院小结"
    copy = scheme_new_version(scheme=scheme, acting_user=secretary)
    assert {field: getattr(copy, field) for field in GUIDE_FIELDS} == {field: getattr(scheme, field)
                                                                      for field in GUIDE_FIELDS}
    copy = scheme_update(scheme=copy, acting_user=secretary, enquiry_phone=" 0577-66668888 ")
    assert copy.enquiry_phone == "0577-66668888" and Scheme.objects.get(pk=scheme.pk).enquiry_phone == "0577-65812345"
    client.force_login(secretary)
    read_only = client.get(reverse("admin:assistance_scheme_change", args=[scheme.pk])).content.decode()
    assert "外省就医的出院小结" in read_only and 'name="documents"' not in read_only
