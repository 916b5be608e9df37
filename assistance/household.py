"""Household member rows as families declare them and villages find them: checked the same way."""
from django.core.exceptions import ValidationError

from fundportal.identifiers import validate_resident_id


def household_rows_checked(rows: list[dict]) -> tuple[list[dict], list[str]]:
    """Each row with name and relation stripped and its ID number (when given) normalised, and the
    Chinese problems found, numbered as the rows are ("第 2 位家庭成员：……")."""
    checked, problems = [], []
    first_with: dict[str, int] = {}  # ID number → the member who has it
    for number, row in enumerate(rows, start=1):
        name, relation = (row.get("name") or "").strip(), (row.get("relation") or "").strip()
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
    return checked, problems
