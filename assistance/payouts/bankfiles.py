"""The bank's files: the transfer file we send (.csv or .xlsx) and the result file it returns.

Amounts are written and read as text with two decimals, so nothing passes through a float.
The result file needs a header row with 参考号, 金额 and 结果 (说明 optional); a file that cannot
be read whole is refused with every problem and its line number, and nothing of it is applied.
"""
import csv
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone

from fundportal.csvsafe import csv_lines
from fundportal.dates import BUSINESS, date_range_error
from fundportal.text import decode_spreadsheet_text
from fundportal.uploads import SMALL_XLSX, is_zip, sheet_rows, xlsx_check

TRANSFER_HEADER = ["参考号", "收款人", "银行账号", "开户银行", "金额（元）", "用途"]
RESULTS = {"成功": "paid", "已支付": "paid", "支付成功": "paid", "失败": "failed", "支付失败": "failed",
           "退回": "returned", "退票": "returned", "已退回": "returned"}
COLUMNS = {"参考号": "reference", "金额": "amount", "金额（元）": "amount", "结果": "result", "说明": "message",
           "银行说明": "message", "日期": "date", "交易日期": "date"}
MAX_LINES = 20000
MAX_PROBLEMS_SHOWN = 50


def transfer_rows(payouts) -> list[list[str]]:
    return [[p.reference, p.account_holder, p.account_number, p.bank_name, f"{p.amount:.2f}",
             f"慈善医疗救助 {p.application.number}"] for p in payouts]


def transfer_csv(payouts) -> bytes:
    return "".join(csv_lines(TRANSFER_HEADER, transfer_rows(payouts))).encode("utf-8")


def transfer_xlsx(payouts) -> bytes:
    from openpyxl import Workbook  # only the export needs it
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("转账明细")

    def text(value: str) -> WriteOnlyCell:
        # Every cell is text: account numbers keep their digits, amounts their fen, and a name
        # typed as "=…" stays a name (openpyxl would otherwise store it as a formula).
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell

    sheet.append([text(cell) for cell in TRANSFER_HEADER])
    for row in transfer_rows(payouts):
        sheet.append([text(cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rows(content: bytes, name: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) one row at a time (a list of every row would grow with whatever the
    file claims), numbered as the spreadsheet shows them: the header is row 1, and a CSV record
    is a row however many lines its quoted cells take."""
    if name.lower().endswith(".xlsx") or is_zip(content):
        yield from _xlsx_rows(content)
        return
    try:
        text = decode_spreadsheet_text(content)
    except UnicodeDecodeError as exc:
        raise ValidationError("无法识别文件编码，请使用 UTF-8 或 GBK 编码的 CSV 文件") from exc
    try:
        yield from enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
    except csv.Error as exc:  # a cell over the csv module's limit (131,072 characters), a stray NUL …
        raise ValidationError(f"无法读取该 CSV 文件（单元格过长或格式错误）：{exc}") from exc


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    # Before openpyxl: a small file may unpack to gigabytes (refused with the limit named).
    xlsx_check(io.BytesIO(content), SMALL_XLSX)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ValidationError(f"无法读取该 Excel 文件：{exc}") from exc
    try:
        for number, row in sheet_rows(book.worksheets[0], SMALL_XLSX):
            yield number, ["" if cell is None else str(cell) for cell in row]
    except ValidationError:
        raise
    except Exception as exc:
        raise ValidationError(f"无法读取该 Excel 文件：{exc}") from exc
    finally:
        book.close()


def parse_amount(text: str) -> Decimal | None:
    """A positive amount in yuan with at most two decimals and twelve digits before them."""
    try:
        value = Decimal(text.replace(",", "").replace("元", "").strip())
        if not value.is_finite() or not 0 < value < Decimal("1e12"):
            return None
        exact = value.quantize(Decimal("0.01"))
    except InvalidOperation:
        return None
    return exact if exact == value else None


def parse_date(text: str) -> dt.date | None:
    """The bank's day: 2023-03-28, 2023/3/28 or 20230328 (an Excel date cell reads as 2023-03-28 00:00:00)."""
    text = text.strip().split(" ")[0].replace("/", "-")
    try:
        if text.isdigit() and len(text) == 8:
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        year, month, day = (int(part) for part in text.split("-"))
        return dt.date(year, month, day)
    except ValueError:
        return None


def result_lines(content: bytes, name: str) -> list[dict]:
    """[{"line", "reference", "amount", "result", "message", "date"}] or ValidationError with every
    problem. The date column (日期 or 交易日期) is optional: without it the day of import counts."""
    rows = _rows(content, name)
    _number, first = next(rows, (1, None))
    if first is None:
        raise ValidationError("文件是空的")
    header = [COLUMNS.get(cell.strip()) for cell in first]
    missing = [label for label, key in (("参考号", "reference"), ("金额", "amount"), ("结果", "result"))
               if key not in header]
    if missing:
        raise ValidationError(f"第 1 行应为表头，缺少列：{'、'.join(missing)}")
    lines, problems = [], []
    for number, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(lines) >= MAX_LINES:
            raise ValidationError(f"文件超过 {MAX_LINES} 行，请分批导入")
        cells = {key: row[i].strip() for i, key in enumerate(header) if key and i < len(row)}
        amount = parse_amount(cells.get("amount", ""))
        result = RESULTS.get(cells.get("result", ""))
        if not cells.get("reference"):
            problems.append(f"第 {number} 行：缺少参考号")
        if amount is None:
            problems.append(f"第 {number} 行：金额“{cells.get('amount', '')}”不是有效金额")
        if result is None:
            problems.append(f"第 {number} 行：结果“{cells.get('result', '')}”应为 成功、失败 或 退回")
        day = parse_date(cells["date"]) if cells.get("date") else None
        if cells.get("date") and (day is None or day > timezone.localdate()):
            problems.append(f"第 {number} 行：日期“{cells['date']}”无效或晚于今天")
        elif error := date_range_error(day, BUSINESS, "银行日期"):
            problems.append(f"第 {number} 行：{error}")
        lines.append({"line": number, "reference": cells.get("reference", ""), "amount": str(amount),
                      "result": result, "message": cells.get("message", "")[:200], "date": day})
    if problems:
        shown = problems[:MAX_PROBLEMS_SHOWN]
        if len(problems) > len(shown):
            shown.append(f"……共 {len(problems)} 处错误，仅列出前 {len(shown)} 处")
        # One message: shown on one line, the problems after the colon (a list would put an empty
        # item between them).
        raise ValidationError("银行回单有误，未做任何处理：" + "；".join(shown))
    if not lines:
        raise ValidationError("文件中没有回单记录")
    return lines
