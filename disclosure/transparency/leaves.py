"""The exact bytes of each leaf. Every leaf is public already: a statement's published document as
published (its hash is the statement's SHA-256's input), one row of it as the public sees it (masked
names, towns, amounts — never personal data), or a public file's record. Anyone holding the leaf's
text can hash it and check its proof."""
from dataclasses import dataclass

from ..content import canonical
from ..models import LogLeaf, PublicFile, Statement

SECTIONS = ("income", "payouts")  # a statement's public rows: each gift, each payout (disclosure/content.py)


@dataclass(frozen=True)
class Leaf:
    kind: str
    data: str
    statement: Statement | None = None
    ledger_entry_id: int | None = None


def row_data(statement: Statement, section: str, row: dict) -> str:
    return canonical({"statement": statement.sequence, "section": section, "row": row})


def statement_leaves(statement: Statement) -> list[Leaf]:
    """A published statement's leaves: its document, then each public row in the order published
    (a correction notice, an annual report: the document alone). A correction is new leaves: the
    statement it corrects keeps its own."""
    leaves = [Leaf(LogLeaf.Kind.STATEMENT, statement.document, statement)]
    for section in SECTIONS:
        rows = (statement.content.get(section) or {}).get("rows") or []
        leaves += [Leaf(LogLeaf.Kind.ROW, row_data(statement, section, row), statement, row.get("entry"))
                   for row in rows]
    return leaves


def file_data(record: PublicFile, sequence: int | None) -> str:
    return canonical({"file": record.path, "version": record.version, "sha256": record.sha256,
                      "size": record.size, "statement": sequence})


def file_leaf(record: PublicFile) -> Leaf:
    """A public file's record: its path, version and SHA-256 (a page, the overview, CSV, JSON, PDF)."""
    statement = record.statement
    return Leaf(LogLeaf.Kind.FILE, file_data(record, statement.sequence if statement else None), statement)


def key_leaf(retired_vkey: str, new_vkey: str, reason: str) -> Leaf:
    """A key rotation, logged: the checkpoint after it is signed by both keys."""
    return Leaf(LogLeaf.Kind.KEY, canonical({"key_rotation": {"retired": retired_vkey, "new": new_vkey,
                                                               "reason": reason}}))
