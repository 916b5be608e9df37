"""One masking format everywhere (pages, CSV, API, PDF), so no two views combine into the value."""


# Two-character surnames (复姓) still in use: their given name starts at the third character.
COMPOUND_SURNAMES = frozenset("""欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 司空 夏侯 轩辕 令狐
    钟离 闾丘 呼延 端木 百里 东郭 南宫 西门 独孤 万俟 澹台 公羊 赫连 濮阳 太史 申屠 拓跋 鲜于 第五 单于""".split())
NAME_SEPARATORS = "·•．."  # 阿依古丽·买买提: a given name and a father's name


def mask_name(name: str) -> str:
    """Keep the surname, hide the given name but its last character when it has two or more:
    张三丰 → 张*丰, 张三 → 张*, 欧阳娜娜 → 欧阳*娜, 司马光 → 司马*. A name in parts (阿依古丽·买买提)
    keeps its first and last characters and its separators: 阿***·**提."""
    name = (name or "").strip()
    if any(separator in name for separator in NAME_SEPARATORS):
        last = len(name) - 1
        return "".join(ch if i in (0, last) or ch in NAME_SEPARATORS else "*" for i, ch in enumerate(name))
    surname = name[:2] if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES else name[:1]
    given = name[len(surname):]
    if not given:
        return name
    if len(given) == 1:
        return surname + "*"
    return surname + "*" * (len(given) - 1) + given[-1]


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
