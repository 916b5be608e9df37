"""Bank files carry values, never formulas, and a result file with an amount no bank writes is
refused with a reason."""
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assistance.payouts import bankfiles

D = Decimal


def test_the_xlsx_bank_file_never_holds_a_formula():
    from types import SimpleNamespace

    from openpyxl import load_workbook

    payout = SimpleNamespace(reference="ZF1", account_holder='=HYPERLINK("http://x","张三")', bank_name="农行",
                             account_number="6228480012345678", amount=D("1.00"),
                             application=SimpleNamespace(number="SQ1"))
    cell = load_workbook(io.BytesIO(bankfiles.transfer_xlsx([payout]))).worksheets[0]["B2"]
    assert (cell.data_type, cell.value) == ("s", '=HYPERLINK("http://x","张三")')


@pytest.mark.parametrize("amount", ["1E+30", "1e12", "NaN", "Infinity", "0.001"])
def test_absurd_amounts_in_a_bank_file_are_refused_with_a_reason(amount):
    with pytest.raises(ValidationError, match="不是有效金额"):
        bankfiles.result_lines(f"参考号,金额,结果\nZF1,{amount},成功\n".encode(), "回单.csv")
