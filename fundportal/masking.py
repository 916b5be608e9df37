"""One masking format everywhere (pages, CSV, API, PDF, history), so no two views combine into the value.

The rules for people's names live in `mask_name`; the list of personal fields of the audited models,
and how each is masked wherever history is shown, lives in `PERSONAL_FIELDS`.
"""
import unicodedata
from collections.abc import Callable

from .money import format_money

# Two-character surnames (复姓) still in use: their given name starts at the third character.
COMPOUND_SURNAMES = frozenset("""欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 司空 夏侯 轩辕 令狐
    钟离 闾丘 呼延 端木 百里 东郭 南宫 西门 独孤 万俟 澹台 公羊 赫连 濮阳 太史 申屠 拓跋 鲜于 第五 单于""".split())
PART_JOINER = "·"
HIDDEN = "******"


def _is_han(ch: str) -> bool:
    return ch == "〇" or unicodedata.name(ch, "").startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH"))


def is_han(text: str) -> bool:
    """True when `text` is Han characters only (a plain Chinese name)."""
    return bool(text) and all(_is_han(ch) for ch in text)


def _is_letter(ch: str) -> bool:
    # Letters of any script, the marks that belong to them, and letter-like numerals (〇).
    return unicodedata.category(ch)[0] in "LM" or unicodedata.category(ch) == "Nl"


def _is_ignorable(ch: str) -> bool:
    # Spaces of every kind (U+3000 included), and invisible format characters (zero-width space…).
    return ch.isspace() or unicodedata.category(ch) in ("Zs", "Zl", "Zp", "Cf")


def _letter_parts(name: str) -> list[str]:
    parts, current = [], []
    for ch in name:
        if _is_letter(ch):
            current.append(ch)
        elif current:
            parts.append("".join(current))
            current = []
    if current:
        parts.append("".join(current))
    return parts


def _mask_han(name: str) -> str:
    surname = name[:2] if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES else name[:1]
    given = name[len(surname):]
    return surname + "*" * max(len(given) - 1, 1) + (given[-1] if len(given) >= 2 else "")


def _mask_parts(parts: list[str]) -> str:
    masked = [["*"] * len(part) for part in parts]
    first, last = parts[0], parts[-1]
    if len(first) >= 2:
        masked[0][0] = first[0]
    # One part alone shows its last letter only when that still leaves a letter hidden between.
    if len(last) >= (3 if len(parts) == 1 else 2):
        masked[-1][-1] = last[-1]
    return PART_JOINER.join("".join(part) for part in masked)


def mask_name(name: str) -> str:
    """A person's name as the public and every list may see it: never a given name whole.

    A plain Han name keeps its surname (复姓 too) and the given name's last character when the given
    name has two or more: 张三丰 → 张*丰, 张三 → 张*, 欧阳娜娜 → 欧阳*娜, 司马光 → 司马*, 张小三丰 → 张**丰.
    Spaces of any kind inside a Han name are dropped first: 张 三丰 and 张　三丰 → 张*丰.
    A single character is hidden whole: 张 → *.
    Any other name (dots, hyphens, digits, Latin letters, mixed scripts) is split into parts on every
    non-letter; only the first letter of the first part and the last letter of the last part may show,
    each only when its part has two letters or more (a name of one part: three), and the parts are
    joined by ·: 阿依古丽·买买提 → 阿***·**提, 迪丽热巴•迪力木拉提 → 迪***·****提, 阿·布 → *·*,
    John Smith → J***·****h, Al → A*, Mary-Jane O'Neil → M***·****·*·***l.
    """
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name:
        return ""
    compact = "".join(ch for ch in name if not _is_ignorable(ch))
    if is_han(compact):
        return "*" if len(compact) == 1 else _mask_han(compact)
    parts = _letter_parts(name)
    if not parts:
        return "*"
    if len(parts) == 1 and len(parts[0]) == 1:
        return "*"
    return _mask_parts(parts)


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


def mask_email(email: str) -> str:
    """lin.kezhang@minzheng.gov.cn → l***@minzheng.gov.cn: the mailbox hidden, the organisation kept."""
    local, at, domain = (email or "").partition("@")
    if not at:
        return "*" * len(local)
    return f"{local[:1]}***@{domain}"


def mask_hidden(value: str) -> str:
    """Free text and figures about a household or an illness: only that there was a value shows."""
    return HIDDEN if value else ""


# Every personal field of the audited models (django-simple-history), and its mask, by
# "app_label.model.field" or by "*.field" for a field name that is personal in every model.
# History (the audit trail page and CSV, the admin's history pages) shows these masked, whoever
# reads it. A new personal field is masked everywhere by adding it here;
# tests/core/test_history_masking.py fails on an audited field that looks personal and is in
# neither this list nor NOT_PERSONAL_FIELDS.
PERSONAL_FIELDS: dict[str, Callable[[str], str]] = {
    "*.resident_id": mask_resident_id,
    "*.phone": mask_phone,
    "*.bank_account": mask_bank_account,
    "*.account_number": mask_bank_account,
    "*.account_holder": mask_name,
    "*.email": mask_email,
    "assistance.insuredperson.name": mask_name,
    "assistance.insuredperson.birth_date": mask_hidden,  # part of the ID number
    "assistance.insuredperson.household_region_text": mask_hidden,  # a home address
    "assistance.householdmember.name": mask_name,
    "assistance.householdmember.annual_income": mask_hidden,
    "assistance.householdmember.notes": mask_hidden,
    "assistance.applicationmember.name": mask_name,
    "assistance.extracost.institution": mask_hidden,  # a hospital says what illness
    "assistance.extracost.invoice_number": mask_hidden,
    "assistance.extracost.paid_on": mask_hidden,
    "assistance.extracost.amount": mask_hidden,  # medical costs
    "assistance.resolutionitem.breakdown": mask_hidden,  # the costing: the year's medical costs
    "assistance.reviewcase.household_income": mask_hidden,
    "assistance.reviewcase.assets": mask_hidden,
    "assistance.reviewcase.housing": mask_hidden,
    "assistance.reviewcase.notes": mask_hidden,
    "assistance.application.insured_total_cost": mask_hidden,  # medical costs
    "assistance.application.insured_fund_paid": mask_hidden,
    "assistance.application.insured_out_of_pocket": mask_hidden,
    "assistance.application.other_assistance": mask_hidden,
    "assistance.application.notes": mask_hidden,
    "assistance.application.notice_phone": mask_phone,  # where the family's SMS notices go
    "donations.donor.name": mask_name,  # an organisation's name is not masked: see PUBLIC_WHEN
    "donations.donor.contact_person": mask_name,
    "donations.donor.address": mask_hidden,
    "donations.receipt.donor_name": mask_name,
    "donations.receipt.verification_code": mask_hidden,  # opens the receipt's PDF, with the donor's name
    "*.lookup_code": mask_hidden,  # opens a family's progress page or an objection's outcome
    "assistance.objection.objector_name": mask_name,
    "assistance.objection.contact": mask_hidden,  # a phone, an address: the objector's
    "assistance.objection.content": mask_hidden,  # may name the family and say why
    "assistance.objection.investigation": mask_hidden,  # what the visit found in the household
    "assistance.appeal.grounds": mask_hidden,  # the family's circumstances
    "assistance.outreachcontact.reason": mask_hidden,  # why a family declines: its circumstances
    "assistance.followup.out_of_pocket": mask_hidden,  # a family's medical costs
    "assistance.followup.previous_out_of_pocket": mask_hidden,
    "assistance.followup.notes": mask_hidden,  # what the visit found in the household
}

# A personal field that is not personal on some rows: an organisation's name is public.
PUBLIC_WHEN: dict[str, Callable[[object], bool]] = {
    "donations.donor.name": lambda donor: getattr(donor, "kind", None) == "organisation",
    "donations.receipt.donor_name": lambda receipt: bool(getattr(receipt, "is_organisation", False)),
}

# Audited fields whose names look personal but are not, and why.
NOT_PERSONAL_FIELDS: dict[str, str] = {
    "fundportal.user.username": "a staff account's login, shown on every staff page",
    "fundportal.user.first_name": "a staff member's name: staff act under their names",
    "fundportal.user.last_name": "a staff member's name: staff act under their names",
    "fundportal.fundaccount.name": "the fund's account",
    "donations.campaign.name": "a public campaign",
    "donations.donor.uscc": "an organisation's public registration code",
    "donations.donor.org_kind": "the kind of an organisation",
    "donations.donation.bank_reference": "the bank's transfer reference, no account number",
    "donations.donor.note": "a note on a donor, kept by the Charity Federation",
    "donations.donation.note": "a note on a gift, kept by the Charity Federation",
    "donations.pledge.note": "a note on a pledge, kept by the Charity Federation",
    "assistance.scheme.notes": "a published assistance scheme",
    "assistance.scheme.enquiry_phone": "the fund's public enquiry line, published with the scheme",
    "assistance.scheme.count_extra_costs": "a setting of a published scheme",
    "assistance.screeningrun.exclude_deceased": "a setting of a screening run",
    "assistance.householdmember.relation": "shown only beside a masked name (张*（配偶）)",
    "assistance.applicationmember.relation": "shown only beside a masked name (张*（配偶）)",
    "auth.group.name": "a role (理事会秘书): roles are named on every staff page",
    "fundportal.region.name": "an administrative area (a town, a village)",
    "assistance.payout.bank_message": "the bank's answer to a payment (账户名不符…)",
    "assistance.councilmember.name": "a member organisation of the council",
    "assistance.scheme.name": "a published assistance scheme",
    "assistance.eligibilitycategory.name": "a published category",
    "assistance.application.bank_name": "a bank's name",
    "assistance.payout.bank_name": "a bank's name",
    "assistance.insuredperson.sex": "shown with masked names on staff lists",
    "assistance.insuredperson.is_deceased": "needed on every list that pays",
    "assistance.insuredperson.died_on": "needed on every list that pays",
    "assistance.followup.died": "the registry's death flag (insuredperson.is_deceased), beside a masked name",
    "assistance.settlementimport.file_name": "the MSB's settlement file (2023年结算数据.csv), named on the import's own page",
    "assistance.outreachcontact.contacted_on": "the day an officer contacted a family: the officer's work",
}


def field_label(model, field_name: str) -> str:
    return f"{model._meta.label_lower}.{field_name}"


def personal_mask(model, field_name: str) -> Callable[[str], str] | None:
    """The mask of a personal field of `model`, or None when the field is not personal."""
    return PERSONAL_FIELDS.get(field_label(model, field_name)) or PERSONAL_FIELDS.get(f"*.{field_name}")


def mask_field(model, field_name: str, value: str, instance=None) -> str:
    """`value` (already text) of `model.field_name` as every view of history shows it."""
    mask = personal_mask(model, field_name)
    if mask is None:
        return value
    public = PUBLIC_WHEN.get(field_label(model, field_name))
    if public is not None and instance is not None and public(instance):
        return value
    return mask(value)


# Models whose own text (str) names a person: what history shows for them instead.
PERSON_DISPLAYS: dict[str, Callable[[object], str]] = {
    "assistance.insuredperson": lambda person: mask_name(person.name),
    "assistance.householdmember": lambda member: f"{mask_name(member.name)}（{member.relation}）",
    "assistance.reviewcase": lambda case: f"{mask_name(case.person.name)} {case.year}",
    "donations.donor": lambda donor: _donor_display(donor),
    "assistance.extracost": lambda cost: f"{cost.application} 其他医疗费用",  # its str names the hospital
    "donations.donation": lambda gift: f"{_donor_display(gift.donor)} {_money(gift.amount)} 元 ({gift.received_on})",
    "donations.pledge": lambda pledge: f"{_donor_display(pledge.donor)} 认捐 {_money(pledge.total)} 元",
    "donations.pledgeinstalment": lambda part: (f"{_donor_display(part.pledge.donor)} 第{part.sequence}期 "
                                                f"{_money(part.amount)} 元"),
}


def _money(amount) -> str:
    return format_money(amount) if amount is not None else ""


def _donor_display(donor) -> str:
    if donor is None:
        return "匿名捐赠人"
    return mask_field(type(donor), "name", donor.name, donor)


def masked_display(obj) -> str:
    """An object as history names it: its str, with a person's name masked."""
    if obj is None:
        return ""
    meta = getattr(obj, "_meta", None)
    display = PERSON_DISPLAYS.get(meta.label_lower) if meta is not None else None
    return display(obj) if display else str(obj)
