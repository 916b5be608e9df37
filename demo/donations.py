"""The seed fund's income in 2023, recorded the way the Charity Federation records it: every
donor, pledge and donation goes through donations.services, so every gift posts to the ledger
and gets its receipt.

What the real fund reported, and what the demo loads:
- 瑞安市医疗保障局: the staff's 慈善一日捐, 17,800 from 86 people, one group gift;
- 浙江瑞安农村商业银行: a pledge of 3,000,000 as 600,000 a year for five years, the first received;
- 167 medical institutions answered the 医疗机构慈善募捐倡议 with 855,300 in all (the real report
  says "855k+"), among them 瑞安市人民医院 (311,000 from 3,126 staff), 瑞安市安阳街道社区卫生服务
  中心 (22,000 from 213 staff), 瑞安市医药行业协会 (84,500 from 96 members) and a clinic owner,
  陈建国, who brought 5,000 in cash; the other 163 are generated (deterministically) below;
- a few private people, two of them anonymous, outside any campaign.

**Definition used by the tests and the summary**: a "medical-institution donation" is a received
donation in the campaign MEDICAL_APPEAL; its donors are the medical institutions (the clinic
owner, an individual donor, included — he gave for his clinic). Nothing else goes into that
campaign, and each of those donors gives exactly once in it.
"""
import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby

from django.db.models import QuerySet
from stdnum.cn import ric, uscc

from donations.models import Campaign, Donation, Donor, Pledge, Receipt
from donations.selectors import income_total
from donations.services import donation_record, donor_create, pledge_create, pledge_schedule_even
from fundportal.services import fund_account_main

from .regions import TOWNS
from .story import FUND_SET_UP, on

SEED = 2023

ONE_DAY_CAMPAIGN = "慈善一日捐"
MEDICAL_APPEAL = "医疗机构慈善募捐倡议"
PLEDGE_CAMPAIGN = "爱心企业认捐"

MEDICAL_INSTITUTION_COUNT = 167
MEDICAL_INSTITUTION_TOTAL = Decimal("855300.00")

BANK_NAME = "浙江瑞安农村商业银行股份有限公司"
BANK_PLEDGE_TOTAL = Decimal("3000000.00")
BANK_PLEDGE_YEARS = 5
BANK_FIRST_DUE = dt.date(2023, 7, 1)
BANK_PLEDGE_SIGNED = dt.date(2023, 6, 28)

# The receipt the command prints, so a person can try the public verification page.
SAMPLE_RECEIPT_DONOR = "瑞安市人民医院"

CAMPAIGNS = [
    # (name, starts_on, ends_on, description)
    (ONE_DAY_CAMPAIGN, dt.date(2023, 6, 1), dt.date(2023, 6, 30),
     "医保局干部职工慈善一日捐，所得全部注入慈善医疗救助共富基金"),
    (MEDICAL_APPEAL, dt.date(2023, 7, 1), dt.date(2023, 8, 31),
     "向全市医疗机构、药店及医药行业协会发出慈善募捐倡议，助力因病致贫返贫防范"),
    (PLEDGE_CAMPAIGN, dt.date(2023, 6, 1), None, "爱心企业认捐，分年度到账"),
]


# --- codes -----------------------------------------------------------------------------------

# Registration authority + entity type (first two characters of a 统一社会信用代码).
GOVERNMENT = "11"      # 机构编制：机关
PUBLIC_BODY = "12"     # 机构编制：事业单位 (public hospitals, health centres)
ASSOCIATION = "51"     # 民政：社会团体
NON_PROFIT = "52"      # 民政：民办非企业单位 (many private hospitals and clinics)
COMPANY = "91"         # 市场监管：企业
SOLE_TRADER = "92"     # 市场监管：个体工商户

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_code_check(body: str) -> str:
    """GB 11714 check character of the 8-character organisation code inside a USCC."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, _ORG_WEIGHTS))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


class CodeMaker:
    """Deterministic, unique, valid 统一社会信用代码 and 身份证号码 for the demo."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.used: set[str] = set()

    def uscc(self, prefix: str, *, new_style: bool = False) -> str:
        while True:
            if new_style:  # registered since 2015: organisation code starts MA
                org = "MA" + "".join(self.rng.choice(_USCC_CHARS) for _ in range(6))
            else:
                org = "".join(self.rng.choice("0123456789") for _ in range(8))
            body = prefix + "330381" + org + _org_code_check(org)
            code = body + uscc.calc_check_digit(body)
            if code not in self.used:
                self.used.add(code)
                return code

    def resident_id(self, birth: dt.date, *, male: bool) -> str:
        while True:
            sequence = self.rng.randrange(0, 1000)
            if sequence % 2 != int(male):  # the 17th digit is odd for men, even for women
                sequence = (sequence + 1) % 1000
            body = f"330381{birth:%Y%m%d}{sequence:03d}"
            number = body + ric.calc_check_digit(body + "?")  # stdnum ignores the last character
            if number not in self.used:
                self.used.add(number)
                return number


# --- the gifts -------------------------------------------------------------------------------

@dataclass
class Gift:
    donor_name: str | None  # None: anonymous, no donor record
    amount: Decimal
    received_on: dt.date
    channel: str
    campaign: str | None = None
    giver_count: int = 1
    note: str = ""
    org_kind: str = ""  # empty: an individual
    uscc_prefix: str = ""
    new_style_code: bool = False
    resident_birth: dt.date | None = None
    male: bool = True
    address: str = ""

    @property
    def is_organisation(self) -> bool:
        return bool(self.org_kind)


TRANSFER = Donation.Channel.BANK_TRANSFER
CASH = Donation.Channel.CASH
ONLINE = Donation.Channel.ONLINE
K = Donor.OrgKind

# The named givers of the real fund's first weeks.
NAMED_GIFTS: list[Gift] = [
    Gift("瑞安市医疗保障局", Decimal("17800"), dt.date(2023, 6, 20), TRANSFER, ONE_DAY_CAMPAIGN,
         giver_count=86, org_kind=K.GOVERNMENT, uscc_prefix=GOVERNMENT, address="浙江省瑞安市安阳街道",
         note="局机关及下属单位干部职工慈善一日捐，集体汇总转账"),
    Gift("瑞安市人民医院", Decimal("311000"), dt.date(2023, 7, 10), TRANSFER, MEDICAL_APPEAL,
         giver_count=3126, org_kind=K.HOSPITAL, uscc_prefix=PUBLIC_BODY, address="浙江省瑞安市安阳街道",
         note="全院职工响应倡议集体捐赠"),
    Gift("瑞安市安阳街道社区卫生服务中心", Decimal("22000"), dt.date(2023, 7, 12), TRANSFER, MEDICAL_APPEAL,
         giver_count=213, org_kind=K.HEALTH_CENTRE, uscc_prefix=PUBLIC_BODY, address="浙江省瑞安市安阳街道",
         note="中心职工集体捐赠"),
    Gift("瑞安市医药行业协会", Decimal("84500"), dt.date(2023, 7, 20), TRANSFER, MEDICAL_APPEAL,
         giver_count=96, org_kind=K.ASSOCIATION, uscc_prefix=ASSOCIATION, address="浙江省瑞安市玉海街道",
         note="协会向会员单位募集后统一转账"),
    Gift("陈建国", Decimal("5000"), dt.date(2023, 7, 8), CASH, MEDICAL_APPEAL,
         resident_birth=dt.date(1966, 4, 18), male=True, address="浙江省瑞安市塘下镇",
         note="个体诊所负责人，到慈善总会现场捐赠现金"),
]

# Private people outside any campaign; two did not give their names.
PRIVATE_GIFTS: list[Gift] = [
    Gift(None, Decimal("2000"), dt.date(2023, 7, 14), CASH, note="匿名人士到慈善总会现场捐赠"),
    Gift("潘晓丽", Decimal("1000"), dt.date(2023, 7, 21), ONLINE, resident_birth=dt.date(1985, 9, 3), male=False,
         note="通过慈善总会微信公众号捐赠"),
    Gift("林志远", Decimal("500"), dt.date(2023, 7, 28), CASH),
    Gift("董海燕", Decimal("2000"), dt.date(2023, 8, 4), TRANSFER, resident_birth=dt.date(1979, 12, 26),
         male=False),
    Gift(None, Decimal("600"), dt.date(2023, 8, 11), CASH, note="匿名捐赠，未留姓名"),
]

_PUBLIC_HOSPITALS = ["瑞安市中医院", "瑞安市第三人民医院", "瑞安市妇幼保健院", "瑞安市中西医结合医院"]
_PRIVATE_HOSPITALS = ["瑞安康宁医院", "瑞安东方医院", "瑞安华瑞医院", "瑞安明瞳眼科医院", "瑞安仁爱妇产医院",
                      "瑞安博爱医院", "瑞安正骨医院", "瑞安塘下安康医院", "瑞安恒美口腔医院", "瑞安惠民中医医院"]
_PHARMACY_BRANDS = ["康宁", "仁和", "百草堂", "万寿", "济民", "惠民", "福康", "益寿", "安康", "瑞丰", "永康",
                    "德仁", "恒康", "康源", "天和", "华康", "保和堂", "泰和", "安泰", "聚仁", "和济", "寿仁",
                    "健民", "立康", "民生", "万家", "众安", "佑康", "广济", "延年"]
_SURNAMES = ["陈", "林", "黄", "王", "张", "李", "周", "吴", "郑", "潘", "金", "蔡", "胡", "叶", "杨", "徐",
             "谢", "朱", "孙", "董", "薛", "包", "缪", "项", "戴", "池", "卓", "季", "余", "夏"]
_GIVEN_NAMES = ["建平", "志强", "晓东", "海燕", "立新", "国华", "丽娟", "文斌", "永胜", "秀芳", "伟", "敏",
                "红霞", "德明", "振华", "克勤", "春雷", "慧", "瑞生", "明光", "达", "冰", "静", "一鸣"]
_CLINIC_KINDS = ["", "内科", "口腔", "中医", "中医内科", "外科", "儿科", "皮肤科", "中西医结合"]

# Amount menus (whole hundreds, 500–10,000); the generator tops up or trims to hit the total.
_AMOUNTS = {
    "public_hospital": [10000],
    "health_centre": [3000, 5000, 5000, 6000, 8000, 10000],
    "private_hospital": [2000, 3000, 5000, 5000, 8000, 10000],
    "pharmacy": [500, 800, 1000, 1000, 1500, 2000, 2000, 3000, 5000],
    "clinic": [500, 800, 1000, 1000, 1000, 1200, 1500, 2000, 2000, 3000, 5000],
}
_MIN_AMOUNT, _MAX_AMOUNT = 500, 10000


def _short(town: str) -> str:
    return town.removesuffix("街道").removesuffix("镇").removesuffix("乡")


def _weekdays(start: dt.date, end: dt.date) -> list[dt.date]:
    days = (start + dt.timedelta(days=n) for n in range((end - start).days + 1))
    return [day for day in days if day.weekday() < 5]


def other_medical_gifts(rng: random.Random) -> list[Gift]:
    """The 163 other institutions of the appeal, deterministic for a given rng."""
    towns = [name for _code, name, _villages in TOWNS]
    entries: list[tuple[str, str, str, str, str]] = []  # (name, kind key, org_kind, prefix, town)

    for name in _PUBLIC_HOSPITALS:
        entries.append((name, "public_hospital", K.HOSPITAL, PUBLIC_BODY, "安阳街道"))
    for town in towns:
        if town == "安阳街道":
            continue  # its centre is one of the named gifts
        if town.endswith("街道"):
            name = f"瑞安市{town}社区卫生服务中心"
        elif town in ("塘下镇", "马屿镇", "陶山镇", "湖岭镇", "高楼镇"):
            name = f"瑞安市{town}中心卫生院"
        else:
            name = f"瑞安市{town}卫生院"
        entries.append((name, "health_centre", K.HEALTH_CENTRE, PUBLIC_BODY, town))
    for name in _PRIVATE_HOSPITALS:
        town = "塘下镇" if "塘下" in name else rng.choice(towns[:11])
        entries.append((name, "private_hospital", K.HOSPITAL, NON_PROFIT, town))

    names = {entry[0] for entry in entries}
    named = sum(1 for gift in NAMED_GIFTS if gift.campaign == MEDICAL_APPEAL)
    count_pharmacies, count_clinics = 60, MEDICAL_INSTITUTION_COUNT - named - len(entries) - 60
    while count_pharmacies:
        town = rng.choice(towns[:17])
        suffix = rng.choice(["大药房", "大药房", "大药房有限公司", "药店"])
        name = f"瑞安市{_short(town)}{rng.choice(_PHARMACY_BRANDS)}{suffix}"
        if name not in names:
            names.add(name)
            entries.append((name, "pharmacy", K.PHARMACY, rng.choice([COMPANY, SOLE_TRADER]), town))
            count_pharmacies -= 1
    while count_clinics:
        town = rng.choice(towns)
        person = rng.choice(_SURNAMES) + rng.choice(_GIVEN_NAMES)
        name = f"瑞安{_short(town)}{person}{rng.choice(_CLINIC_KINDS)}诊所"
        if name not in names and person != "陈建国":
            names.add(name)
            entries.append((name, "clinic", K.CLINIC, rng.choice([SOLE_TRADER, SOLE_TRADER, NON_PROFIT]), town))
            count_clinics -= 1

    amounts = [rng.choice(_AMOUNTS[kind]) for _name, kind, *_rest in entries]
    _balance(amounts, target=int(MEDICAL_INSTITUTION_TOTAL) - _named_medical_total(), rng=rng)

    days = _weekdays(dt.date(2023, 7, 3), dt.date(2023, 8, 18))
    gifts = []
    for (name, kind, org_kind, prefix, town), amount in zip(entries, amounts):
        staff_gift = kind in ("public_hospital", "health_centre")
        gifts.append(Gift(
            name, Decimal(amount), rng.choice(days),
            TRANSFER if staff_gift or rng.random() < 0.75 else CASH, MEDICAL_APPEAL,
            giver_count=rng.randrange(25, 400) if staff_gift else 1,
            note="职工集体捐赠" if staff_gift else "",
            org_kind=org_kind, uscc_prefix=prefix,
            new_style_code=prefix in (COMPANY, SOLE_TRADER) and rng.random() < 0.6,
            address=f"浙江省瑞安市{town}",
        ))
    return gifts


def _named_medical_total() -> int:
    return int(sum(g.amount for g in NAMED_GIFTS if g.campaign == MEDICAL_APPEAL))


def _balance(amounts: list[int], *, target: int, rng: random.Random) -> None:
    """Nudge amounts (by 1,000, then 500, then 100, within 500–10,000) until they add up to target.

    The big steps first, so most gifts keep the round figures people actually give.
    """
    order = list(range(len(amounts)))
    for size in (1000, 500, 100):
        while abs(diff := target - sum(amounts)) >= size:
            step = size if diff > 0 else -size
            rng.shuffle(order)
            for index in order:
                if _MIN_AMOUNT <= amounts[index] + step <= _MAX_AMOUNT:
                    amounts[index] += step
                    break
            else:
                raise ValueError(f"demo amounts cannot reach {target}")


# --- loading ---------------------------------------------------------------------------------

def medical_institution_donations() -> QuerySet[Donation]:
    """The definition: received donations in the medical-institutions appeal."""
    return Donation.objects.filter(campaign__name=MEDICAL_APPEAL, status=Donation.Status.RECEIVED)


def medical_institution_donors() -> QuerySet[Donor]:
    return Donor.objects.filter(donations__in=medical_institution_donations()).distinct()


def bank_pledge() -> Pledge:
    return Pledge.objects.get(donor__name=BANK_NAME)


class _BankReferences:
    """RA + date + serial, the shape of a bank statement's transaction number; unique by the serial."""

    def __init__(self, rng: random.Random):
        self.serial = rng.randrange(100, 900)

    def next(self, day: dt.date) -> str:
        self.serial += 1
        return f"RA{day:%Y%m%d}{self.serial:05d}"


def _register(gift: Gift, *, codes: CodeMaker, acting_user) -> Donor | None:
    if gift.donor_name is None:
        return None
    if gift.is_organisation:
        return donor_create(kind=Donor.Kind.ORGANISATION, name=gift.donor_name, org_kind=gift.org_kind,
                            uscc=codes.uscc(gift.uscc_prefix, new_style=gift.new_style_code),
                            address=gift.address, acting_user=acting_user)
    resident_id = codes.resident_id(gift.resident_birth, male=gift.male) if gift.resident_birth else ""
    return donor_create(kind=Donor.Kind.INDIVIDUAL, name=gift.donor_name, resident_id=resident_id,
                        address=gift.address, acting_user=acting_user)


def load_donations(*, acting_user) -> None:
    """Register the donors, the bank's pledge and every gift, in the order the money arrived."""
    rng = random.Random(SEED)
    codes = CodeMaker(SEED)
    references = _BankReferences(rng)

    campaigns = {}
    with on(FUND_SET_UP):
        for name, starts_on, ends_on, description in CAMPAIGNS:
            campaigns[name], _created = Campaign.objects.get_or_create(
                name=name, defaults={"starts_on": starts_on, "ends_on": ends_on, "description": description})

    with on(BANK_PLEDGE_SIGNED, 15):
        bank = donor_create(kind=Donor.Kind.ORGANISATION, name=BANK_NAME, org_kind=Donor.OrgKind.BANK,
                            uscc=codes.uscc(COMPANY), address="浙江省瑞安市安阳街道", acting_user=acting_user,
                            contact_person="王晓明", phone="13957700168", notice_consent=True)  # its SMS notices
        pledge = pledge_create(
            donor=bank, total=BANK_PLEDGE_TOTAL, signed_on=BANK_PLEDGE_SIGNED, campaign=campaigns[PLEDGE_CAMPAIGN],
            instalments=pledge_schedule_even(total=BANK_PLEDGE_TOTAL, count=BANK_PLEDGE_YEARS,
                                             first_due=BANK_FIRST_DUE),
            note="五年共认捐 300 万元，每年 60 万元", acting_user=acting_user,
        )

    gifts = NAMED_GIFTS + other_medical_gifts(rng) + PRIVATE_GIFTS
    first = pledge.instalments.get(sequence=1)
    queue = [(gift.received_on, index, gift) for index, gift in enumerate(gifts)]
    queue.append((dt.date(2023, 7, 3), -1, None))  # the bank's first instalment
    # Each day's gifts are recorded that day (the receipt is issued as the money is recorded).
    for day, arrivals in groupby(sorted(queue, key=lambda item: item[:2]), key=lambda item: item[0]):
        with on(day, 10):
            for received_on, _index, gift in arrivals:
                if gift is None:
                    donation_record(amount=first.amount, received_on=received_on, channel=TRANSFER, donor=bank,
                                    instalment=first, campaign=campaigns[PLEDGE_CAMPAIGN],
                                    bank_reference=references.next(received_on), note="认捐协议第 1 期",
                                    acting_user=acting_user)
                    continue
                donor = _register(gift, codes=codes, acting_user=acting_user)
                donation_record(
                    amount=gift.amount, received_on=gift.received_on, channel=gift.channel, donor=donor,
                    is_anonymous=donor is None, campaign=campaigns.get(gift.campaign), giver_count=gift.giver_count,
                    bank_reference=references.next(gift.received_on) if gift.channel in (TRANSFER, ONLINE) else "",
                    note=gift.note, acting_user=acting_user,
                )


@dataclass(frozen=True)
class Summary:
    donors: int
    donations: int
    received_total: Decimal
    fund_balance: Decimal
    medical_donors: int
    medical_total: Decimal
    pledge_total: Decimal
    sample_receipt: Receipt | None


def donation_summary() -> Summary:
    medical = medical_institution_donations()
    return Summary(
        donors=Donor.objects.count(),
        donations=Donation.objects.filter(status=Donation.Status.RECEIVED).count(),
        received_total=income_total(),
        fund_balance=fund_account_main().balance,
        medical_donors=medical_institution_donors().count(),
        medical_total=sum((d.amount for d in medical.only("amount")), Decimal("0.00")),
        pledge_total=sum((p.total for p in Pledge.objects.all()), Decimal("0.00")),
        sample_receipt=Receipt.objects.filter(donation__donor__name=SAMPLE_RECEIPT_DONOR,
                                              status=Receipt.Status.VALID).first(),
    )
