"""The columns of a settlement file, and the header names offices actually use for them."""
import re
from dataclasses import dataclass

from fundportal.text import to_half_width


class ImportFileError(Exception):
    """The file as a whole cannot be read (not a row problem): a Chinese message for the user."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    aliases: tuple[str, ...]
    required: bool = True


COLUMNS: list[Column] = [
    Column("settlement_no", "结算编号", ("结算编号", "结算单号", "结算流水号", "结算id", "就诊流水号", "settlement_no")),
    Column("resident_id", "身份证号", ("身份证号", "身份证号码", "公民身份号码", "证件号码", "resident_id")),
    Column("name", "姓名", ("姓名", "参保人姓名", "name")),
    Column("household_region", "户籍地", ("户籍地", "户籍地区", "户籍所在地", "户籍区划", "户籍区划代码",
                                          "household_region"), required=False),
    Column("insured_kind", "参保类型", ("参保类型", "险种类型", "险种", "insured_kind"), required=False),
    Column("person_status", "人员状态", ("人员状态", "参保状态", "person_status"), required=False),
    Column("settled_on", "结算日期", ("结算日期", "结算时间", "出院日期", "settled_on")),
    Column("institution", "医疗机构", ("医疗机构", "定点医疗机构", "医疗机构名称", "就诊机构", "institution")),
    Column("in_province", "省内就医", ("省内就医", "是否省内", "省内/省外", "就医地", "in_province"), required=False),
    Column("total_cost", "医疗总费用", ("医疗总费用", "总费用", "费用总额", "医疗费用总额", "total_cost")),
    Column("fund_basic", "基本医保支付", ("基本医保支付", "基本医疗保险", "统筹支付", "基本医保", "基金支付",
                                          "fund_basic"), required=False),
    Column("fund_critical", "大病保险支付", ("大病保险支付", "大病保险", "fund_critical"), required=False),
    Column("fund_assistance", "医疗救助支付", ("医疗救助支付", "医疗救助", "fund_assistance"), required=False),
    Column("out_of_pocket", "个人自付", ("个人自付", "个人自负", "个人负担", "个人支付", "个人自付金额",
                                         "out_of_pocket")),
]
BY_KEY = {column.key: column for column in COLUMNS}
HEADING_LENGTH = 30  # SettlementImportError.column
_UNIT = re.compile(r"[（(]\s*(元|人民币|yuan)\s*[)）]$")


def _clean_header(text: str) -> str:
    return _UNIT.sub("", "".join(to_half_width(str(text or "")).split())).lower().lstrip("\ufeff")


_ALIASES = {_clean_header(alias): column.key for column in COLUMNS for alias in column.aliases}


def headings_of(header: list, positions: dict[str, int]) -> dict[str, str]:
    """Column key → the heading the user's own file has for it: what error lists name, so the user
    finds the column they wrote ("身份证号码", "结算时间"), never an internal name (resident_id)."""
    return {key: (" ".join(str(header[index] or "").split()) or BY_KEY[key].label)[:HEADING_LENGTH]
            for key, index in positions.items()}


def heading(key: str, headings: dict[str, str] | None) -> str:
    """The file's heading for a column key ("" stays "": a problem with the whole row)."""
    if not key:
        return ""
    return (headings or {}).get(key) or BY_KEY[key].label


def map_header(header: list[str]) -> dict[str, int]:
    """Column key → position in the file. Unknown columns are ignored; missing required ones fail."""
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        key = _ALIASES.get(_clean_header(name))
        if key and key not in positions:
            positions[key] = index
    missing = [column.label for column in COLUMNS if column.required and column.key not in positions]
    if missing:
        raise ImportFileError(f"文件缺少必需的列：{'、'.join(missing)}（第一行应为表头）")
    return positions
