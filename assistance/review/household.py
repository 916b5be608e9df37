"""Household member rows as families declare them and villages find them: checked the same way.

The household is the applicant's (the case's person's): exactly one member is 本人, and that
member carries the applicant's own ID number (written in when left blank), so a visit cannot
record someone else as the person it is about, nor a household without them.
"""
from django.core.exceptions import ValidationError

from fundportal.identifiers import validate_resident_id

SELF = "本人"  # the relation of the applicant to themself
MAX_MEMBERS = 50  # one household as a family declares it or a village finds it (the API's bound too)


def household_rows_checked(rows: list[dict], *, own_resident_id: str) -> tuple[list[dict], list[str]]:
    """Each row with name and relation stripped and its ID number (when given) normalised, and the
    Chinese problems found, numbered as the rows are ("第 2 位家庭成员：……"). `own_resident_id`
    is the applicant's: the one row whose relation is 本人 carries it (it is written in when the
    row leaves it blank; another number is refused)."""
    if len(rows) > MAX_MEMBERS:
        return [], [f"家庭成员最多填写 {MAX_MEMBERS} 位，现有 {len(rows)} 位"]
    checked, problems = [], []
    first_with: dict[str, int] = {}  # ID number → the member who has it
    selves: list[int] = []  # the members whose relation is 本人
    for number, row in enumerate(rows, start=1):
        name, relation = (row.get("name") or "").strip(), (row.get("relation") or "").strip()
        if "".join(relation.split()) == SELF:
            selves.append(number)
        if not name or not relation:
            problems.append(f"第 {number} 位家庭成员：请填写姓名和关系")
            continue
        resident_id = (row.get("resident_id") or "").strip()
        if resident_id:
            try:
                resident_id = validate_resident_id(resident_id)
            except ValidationError as exc:
                problems.append(f"第 {number} 位家庭成员：{exc.messages[0]}")
                continue
            # One person, one row: a family listed twice would count their income and members twice.
            if resident_id in first_with:
                problems.append(f"第 {number} 位家庭成员：身份证号码与第 {first_with[resident_id]} 位家庭成员相同，"
                                "同一人只能填写一次")
                continue
            first_with[resident_id] = number
        checked.append({**row, "number": number, "name": name, "relation": relation, "resident_id": resident_id})
    problems.extend(_self_problems(rows, checked, selves, own_resident_id))
    return checked, problems


def _self_problems(rows: list[dict], checked: list[dict], selves: list[int], own_resident_id: str) -> list[str]:
    if not rows:
        return [f"请填写家庭成员，至少填写申请人本人（关系填“{SELF}”）"]
    if not selves:
        return [f"家庭成员中应有申请人本人：请在其关系一栏填写“{SELF}”"]
    if len(selves) > 1:
        listed = "、".join(str(number) for number in selves)
        return [f"关系为“{SELF}”的只能有一位（现为第 {listed} 位家庭成员）"]
    problems = [f"第 {row['number']} 位家庭成员：身份证号码是申请人本人的，申请人只填写一次（关系为“{SELF}”）"
                for row in checked if row["number"] != selves[0] and row["resident_id"] == own_resident_id]
    own = next((row for row in checked if row["number"] == selves[0]), None)
    if own is None:
        return problems  # the row's own problem is already listed
    if not own["resident_id"]:
        own["resident_id"] = own_resident_id  # 本人 is the applicant: their number is known
    elif own["resident_id"] != own_resident_id:
        problems.append(f"第 {own['number']} 位家庭成员（{SELF}）：身份证号码与申请人的不一致，“{SELF}”应为申请人自己")
    return problems
