"""Household member rows as families declare them and villages find them: checked the same way."""
from django.core.exceptions import ValidationError

from fundportal.identifiers import validate_resident_id


def household_rows_checked(rows: list[dict]) -> tuple[list[dict], list[str]]:
    """Each row with name and relation stripped and its ID number (when given) normalised, and the
    Chinese problems found, numbered as the rows are ("第 2 位家庭成员：……")."""
    checked, problems = [], []
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
        checked.append({**row, "number": number, "name": name, "relation": relation, "resident_id": resident_id})
    return checked, problems
