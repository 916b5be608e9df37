"""Bank files as the bank would send them back."""
import csv
import io

from django.test import TestCase

from assistance.payouts.bank_results import bank_result_import


def result_csv(rows: list[tuple[str, str, str, str]]) -> bytes:
    """(参考号, 金额, 结果, 说明) rows → a UTF-8 CSV with its header."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["参考号", "金额", "结果", "说明"])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def all_paid(batch) -> bytes:
    return result_csv([(p.reference, f"{p.amount:.2f}", "成功", "") for p in batch.payouts.filter(state="sent")])


def reconcile(batch, content: bytes, user, name: str = "回单.csv"):
    """Import a result file; the task is queued on commit and Celery runs eagerly in tests, so the
    file is applied when this returns."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = bank_result_import(batch=batch, content=content, file_name=name, acting_user=user)
    result.refresh_from_db()
    return result


def mismatches(result) -> dict[str, str]:
    """Reference → problem for every line reconciliation did not accept."""
    return dict(result.rows.filter(outcome="mismatch").values_list("reference", "problem"))
