"""factory_boy factories. Money is Decimal; codes are generated valid (check characters computed)."""
import datetime as dt
import random
from decimal import Decimal

import factory
from stdnum.cn import ric, uscc

from donations.models import Campaign, Donor
from fundportal.models import Region, User

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(seed: int) -> str:
    rng = random.Random(seed)
    body = "91" + "330381" + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def make_resident_id(seed: int, *, region: str = "330381", birth: dt.date = dt.date(1968, 5, 17)) -> str:
    body = f"{region}{birth:%Y%m%d}{seed % 1000:03d}"
    return body + ric.calc_check_digit(body + "?")  # stdnum ignores the last character


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"33038110{n:04d}")
    name = factory.Sequence(lambda n: f"测试区域{n}")
    level = Region.Level.TOWN


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct-horse-battery")
    is_staff = True


class DonorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Donor

    kind = Donor.Kind.ORGANISATION
    org_kind = Donor.OrgKind.HOSPITAL
    name = factory.Sequence(lambda n: f"瑞安市第{n}医院")
    uscc = factory.Sequence(make_uscc)
    created_by = factory.SubFactory(UserFactory)


class IndividualDonorFactory(DonorFactory):
    kind = Donor.Kind.INDIVIDUAL
    org_kind = ""
    uscc = ""
    name = factory.Faker("name", locale="zh_CN")


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"慈善一日捐{n}")
    starts_on = dt.date(2023, 6, 1)


def money(value: str) -> Decimal:
    return Decimal(value)
