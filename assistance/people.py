"""Changes to the insured-person registry made by hand (files update it in bulk through imports)."""
import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from fundportal.audit import records_actor
from fundportal.dates import PERSONAL, date_range_error

from .models import InsuredPerson


def death_validate(*, is_deceased: bool, died_on: dt.date | None) -> None:
    if is_deceased and died_on and died_on > timezone.localdate():
        raise ValidationError({"died_on": "死亡日期不能晚于今天"})
    if is_deceased and (error := date_range_error(died_on, PERSONAL, "死亡日期")):
        raise ValidationError({"died_on": error})
    if not is_deceased and died_on:
        raise ValidationError({"died_on": "未死亡的人员不应填写死亡日期"})


@records_actor
@transaction.atomic
def insured_person_set_deceased(*, person: InsuredPerson, is_deceased: bool, died_on: dt.date | None,
                                acting_user) -> InsuredPerson:
    """Record (or correct) a death: screening excludes the deceased, payouts must never reach them."""
    death_validate(is_deceased=is_deceased, died_on=died_on)
    person = InsuredPerson.objects.select_for_update().get(pk=person.pk)
    person.is_deceased, person.died_on = is_deceased, died_on if is_deceased else None
    person._change_reason = "登记死亡" if is_deceased else "撤销死亡登记"
    person.save(update_fields=["is_deceased", "died_on", "updated_at"])
    return person
