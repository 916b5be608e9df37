"""Changes to the insured-person registry made by hand (files update it in bulk through imports)."""
import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fundportal.audit import records_actor
from fundportal.dates import PERSONAL, date_range_error
from fundportal.models import Region

from .models import InsuredPerson


def death_validate(*, is_deceased: bool, died_on: dt.date | None, born_on: dt.date | None = None) -> None:
    """`born_on`: the person's birth date (from the ID number), which a death cannot precede."""
    if is_deceased and died_on and died_on > timezone.localdate():
        raise ValidationError({"died_on": "死亡日期不能晚于今天"})
    if is_deceased and died_on and born_on and died_on < born_on:
        raise ValidationError({"died_on": f"死亡日期不能早于出生日期（{born_on:%Y-%m-%d}）"})
    if is_deceased and (error := date_range_error(died_on, PERSONAL, "死亡日期")):
        raise ValidationError({"died_on": error})
    if not is_deceased and died_on:
        raise ValidationError({"died_on": "未死亡的人员不应填写死亡日期"})


@records_actor
@transaction.atomic
def insured_person_set_deceased(*, person: InsuredPerson, is_deceased: bool, died_on: dt.date | None,
                                acting_user) -> InsuredPerson:
    """Record (or correct) a death: screening excludes the deceased, payouts must never reach them."""
    person = InsuredPerson.objects.select_for_update().get(pk=person.pk)
    death_validate(is_deceased=is_deceased, died_on=died_on, born_on=person.birth_date)
    person.is_deceased, person.died_on = is_deceased, died_on if is_deceased else None
    person._change_reason = "登记死亡" if is_deceased else "撤销死亡登记"
    person.save(update_fields=["is_deceased", "died_on", "updated_at"])
    return person


@records_actor
@transaction.atomic
def insured_person_get_or_create(*, resident_id: str, name: str, region: Region, reason: str,
                                 acting_user) -> tuple[InsuredPerson, bool]:
    """The registry's person with this (validated, normalised) ID number; someone not in it yet is
    added from what the caller knows. Returns (person, created).

    Two clerks registering the same new person at the same moment: the unique constraint lets one
    insert; the other waits on it, gets a unique violation inside a savepoint and takes the row the
    first wrote. The violation never escapes: its database message names the ID number, and an
    error page would carry it into the server's log.
    """
    person = InsuredPerson.objects.filter(resident_id=resident_id).first()
    if person is not None:
        return person, False
    person = InsuredPerson(resident_id=resident_id, name=name, sex="M" if int(resident_id[16]) % 2 else "F",
                           birth_date=dt.date(int(resident_id[6:10]), int(resident_id[10:12]),
                                              int(resident_id[12:14])),
                           region=region, household_region_text=region.name if region else "",
                           is_local=region is not None)
    person._change_reason = reason
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        first = InsuredPerson.objects.filter(resident_id=resident_id).first()
        if first is None:  # some other constraint: not the race this handles
            raise
        return first, False
    return person, True
