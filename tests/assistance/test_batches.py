"""The batch reader (batches.py) against Python's csv module, which the reference loader reads
with: the same rows with the same row numbers, the same short and long rows reported, blank rows
left out, whatever the pieces the file is cut into."""
import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistance.importing import batches, reader
from assistance.importing.columns import ImportFileError

WIDTH = 4
HEADER = ["结算编号", "身份证号", "姓名", "医疗机构"]


def _read(path, width=WIDTH):
    rows, ragged = {}, []
    for batch in batches.iter_batches(path, width):
        for row in batch.cells.iter_rows():
            rows[row[0]] = list(row[1:])
        ragged += batch.ragged
    return rows, ragged


def _reference(path, encoding="utf-8-sig", width=WIDTH):
    """What the reference loader sees: csv.reader rows after the header, numbered from 1."""
    rows, ragged = {}, []
    with open(path, newline="", encoding=encoding) as handle:
        records = csv.reader(handle)
        next(records)
        for row_no, row in enumerate(records, start=1):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) == width:
                rows[row_no] = row
            else:
                ragged.append((row_no, len(row)))
    return rows, ragged


def _write(path, text: str, encoding="utf-8") -> None:
    path.write_bytes(text.encode(encoding))


MESSY_CSV = (
    "结算编号,身份证号,姓名,医疗机构\r\n"
    "JS1,330381,张三,瑞安市人民医院\r\n"
    '"JS2","33,0381","李""四""","瑞安市人民医院,\n住院部"\r\n'
    "\r\n"  # a blank line
    ",,,\r\n"  # an empty spreadsheet row
    " , ,\u3000,\r\n"  # white space only
    "JS3,short\r\n"  # too few cells
    "JS4,a,b,c,d,e\r\n"  # too many
    'JS5,ab"c,stray quote,x\r\n'  # a quote inside an unquoted cell
    "JS6,330381,王五,中医院"  # no newline at the end
)


@pytest.mark.parametrize("piece_bytes", [7, 64, 1 << 20])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_reader_sees_the_rows_the_csv_module_sees(tmp_path, monkeypatch, piece_bytes, encoding):
    monkeypatch.setattr(batches, "PIECE_BYTES", piece_bytes)
    path = tmp_path / "messy.csv"
    _write(path, MESSY_CSV, encoding)
    rows, ragged = _read(path)
    assert (rows, ragged) == _reference(path, encoding="gb18030" if encoding == "gb18030" else "utf-8-sig")
    assert ragged == [(6, 2), (7, 6)]
    assert rows[2] == ["JS2", "33,0381", '李"四"', "瑞安市人民医院,\n住院部"]
    assert rows[9] == ["JS6", "330381", "王五", "中医院"]


def test_a_header_alone_gives_no_rows(tmp_path):
    path = tmp_path / "empty.csv"
    _write(path, "结算编号,身份证号,姓名,医疗机构\n")
    assert _read(path) == ({}, [])
    _write(path, "结算编号,身份证号,姓名,医疗机构")
    assert _read(path) == ({}, [])


def test_invalid_utf8_after_the_sample_is_a_file_error(tmp_path, monkeypatch):
    monkeypatch.setattr(batches, "PIECE_BYTES", 64)
    monkeypatch.setattr(reader, "SAMPLE_BYTES", 60)  # the encoding is guessed from the first lines
    path = tmp_path / "broken.csv"
    path.write_bytes("结算编号,身份证号,姓名,医疗机构\nJS0,1,张三,x\n".encode() + b"JS1,1,\xe5\xbc,x\n")
    with pytest.raises(ImportFileError, match="文件编码无法识别"):
        _read(path)


def test_a_stray_quote_that_never_closes_is_read_exactly_to_the_end(tmp_path, monkeypatch):
    # Past the stray quote no newline looks like a record boundary: the reader falls back to the
    # csv module for the rest of the file instead of holding it all in memory.
    monkeypatch.setattr(batches, "PIECE_BYTES", 32)
    path = tmp_path / "stray.csv"
    lines = ["结算编号,身份证号,姓名,医疗机构"] + [f'JS{i},{i},a"b,x' if i == 3 else f"JS{i},{i},张三,x"
                                              for i in range(1, 40)]
    _write(path, "\n".join(lines) + "\n")
    assert _read(path) == _reference(path)
    assert len(_read(path)[0]) == 39


cells = st.text(alphabet=st.sampled_from(list('ab张,"\n\r \u3000x')), max_size=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cells, min_size=0, max_size=6), max_size=25), piece_bytes=st.integers(1, 300),
       line_ending=st.sampled_from(["\n", "\r\n"]))
def test_reader_agrees_with_the_csv_module_on_random_files(tmp_path, rows, piece_bytes, line_ending):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_ending)
    writer.writerow(HEADER)
    writer.writerows(rows)
    path = tmp_path / "random.csv"
    _write(path, buffer.getvalue())
    original = batches.PIECE_BYTES
    batches.PIECE_BYTES = piece_bytes
    try:
        assert _read(path) == _reference(path)
    finally:
        batches.PIECE_BYTES = original


def _exact_path_refused(*args, **kwargs):
    raise AssertionError("a file a CSV writer wrote was handed to the slow exact path")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cells, min_size=4, max_size=4), min_size=1, max_size=25),
       piece_bytes=st.integers(1, 300), line_ending=st.sampled_from(["\n", "\r\n"]))
def test_files_a_csv_writer_writes_stay_on_the_fast_path(tmp_path, rows, piece_bytes, line_ending):
    """Whatever the piece boundaries (between CR and LF, inside a quoted cell, just after a quote),
    a file as csv.writer writes it is parsed by polars, never by the csv module: 10 M rows that
    left the fast path at the first CRLF cut by a read took 65 s to read instead of 13 s."""
    rows = [[cell.replace("\r", "") for cell in row] for row in rows]  # a CR in a cell is not plain
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=line_ending).writerows([HEADER] + rows)
    path = tmp_path / "plain.csv"
    _write(path, buffer.getvalue())
    original, original_exact = batches.PIECE_BYTES, batches._exact_stream
    batches.PIECE_BYTES, batches._exact_stream = piece_bytes, _exact_path_refused
    try:
        assert _read(path) == _reference(path)
    finally:
        batches.PIECE_BYTES, batches._exact_stream = original, original_exact


@pytest.mark.parametrize("text", [
    'x,a"b,c,d\n1,"p\nq,r",3,4\n5,6,7,8\n',  # a quote inside an unquoted cell, then a quoted line break
    '1,""x"",3,4\n5,6,7,8\n',  # a cell going on after its closing quote
    '1,2,3,4\r5,6,7,8\r9,10,11,12\r',  # old Mac line ends (CR alone)
    '1,2,3,4\r\n5,"6\r7",8,9\r\n',  # a lone CR inside a quoted cell
    '1, "2",3,4\n5,6,7,8\n',  # a space before an opening quote: the quote is part of the cell
])
@pytest.mark.parametrize("piece_bytes", [5, 64, 1 << 20])
def test_quotes_and_line_ends_no_csv_writer_writes_are_read_as_the_csv_module_reads_them(
        tmp_path, monkeypatch, text, piece_bytes):
    monkeypatch.setattr(batches, "PIECE_BYTES", piece_bytes)
    path = tmp_path / "odd.csv"
    _write(path, "结算编号,身份证号,姓名,医疗机构\n" + text)
    assert _read(path) == _reference(path)


def test_a_stray_quote_in_the_header_does_not_lose_the_rows(tmp_path):
    path = tmp_path / "header.csv"
    _write(path, '结算编号,身份"证号,姓名,医疗机构\n1,2,3,4\n5,6,7,8\n')
    assert _read(path) == _reference(path) and len(_read(path)[0]) == 2


raw_cells = st.text(alphabet=st.sampled_from(list('ab张,"\n\r \u3000')), max_size=8)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(raw_cells, max_size=30), piece_bytes=st.integers(1, 200))
def test_reader_agrees_with_the_csv_module_on_raw_text_with_any_quotes(tmp_path, lines, piece_bytes):
    """Text written by hand, not by a CSV writer: stray quotes, lone CRs, anything."""
    path = tmp_path / "raw.csv"
    _write(path, ",".join(HEADER) + "\n" + "\n".join(lines))
    original = batches.PIECE_BYTES
    batches.PIECE_BYTES = piece_bytes
    try:
        try:
            expected = _reference(path)
        except csv.Error:
            return  # the csv module itself gives up (e.g. a NUL): nothing to compare
        assert _read(path) == expected
    finally:
        batches.PIECE_BYTES = original
