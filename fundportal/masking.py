"""One masking format everywhere (pages, CSV, API, PDF), so no two views combine into the value."""


def mask_name(name: str) -> str:
    """张三丰 → 张*丰, 张三 → 张*: keep the surname (and the last character of long names)."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_resident_id(number: str) -> str:
    """330381199001011234 → 3303**********234 style: first four, last four (with the check)."""
    number = number or ""
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone: str) -> str:
    """13812341234 → 138****1234."""
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_bank_account(account: str) -> str:
    """6228480012345673256 → 6228 **** **** 3256."""
    digits = "".join(ch for ch in (account or "") if ch.isalnum())
    if len(digits) < 8:
        return "*" * len(digits)
    return f"{digits[:4]} **** **** {digits[-4:]}"
