"""clustering.io.read_points on a corpus of good and bad files written here."""

from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from clustering import io as cio
from clustering.constants import MAX_FILE_BYTES, MAX_LABEL_CLASSES, MAX_POINTS
from clustering.datasets import Dataset
from clustering.io import DataError, numeric_columns, read_points

REMEDIES = ("save", "choose", "use", "check", "add", "keep", "name ")
JARGON = ("traceback", "pandas", "error tokenizing", "dtype", "exception", "errno", "nan", "none",
          "utf-8-sig", "codec", "parsererror", "c error", "object")


def assert_plain(message: str) -> None:
    """One or two plain sentences: no library talk, ends with a period, says what to do."""
    lowered = message.lower()
    assert message.strip() == message and message.endswith("."), message
    for word in JARGON:
        assert not re.search(rf"\b{re.escape(word)}\b", lowered), (word, message)
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z\"])", message)
    assert 1 <= len(sentences) <= 2, message
    assert any(verb in lowered for verb in REMEDIES), message
    assert "\n" not in message


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def table_text(X, header=("x", "y"), sep=",", labels=None) -> str:
    lines = [sep.join(header)] if header else []
    for i, (a, b) in enumerate(X):
        row = [repr(float(a)), repr(float(b))]
        if labels is not None:
            row.append(str(labels[i]))
        lines.append(sep.join(row))
    return "\n".join(lines) + "\n"


POINTS = np.array([[1.5, -2.0], [3.25, 4.0], [0.0, 1e-3], [-7.0, 8.5e6]])


# --- good files ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("sep", [",", ";", "\t"])
@pytest.mark.parametrize("header", [("x", "y"), ("width", "height"), None])
def test_separators_and_headers(tmp_path, sep, header):
    path = write(tmp_path, "points.csv", table_text(POINTS, header=header, sep=sep))
    ds = read_points(path)
    assert isinstance(ds, Dataset)
    np.testing.assert_array_equal(ds.X, POINTS)
    assert ds.labels is None
    assert ds.dropped == 0
    assert ds.name == "points.csv"
    if header:
        assert ds.columns == header
        assert f"from columns {header[0]} and {header[1]}" in ds.description
    assert f"Read {len(POINTS)} points" in ds.description


def test_bytes_str_path_and_path_give_the_same_points(tmp_path):
    text = table_text(POINTS)
    path = write(tmp_path, "p.csv", text)
    from_bytes = read_points(text.encode())
    assert from_bytes.name == "uploaded"
    assert read_points(text.encode(), name="mine.csv").name == "mine.csv"
    for source in (str(path), path, bytearray(text.encode())):
        np.testing.assert_array_equal(read_points(source).X, from_bytes.X)


def test_byte_order_mark_and_crlf(tmp_path):
    text = "\ufeff" + table_text(POINTS, header=("a", "b")).replace("\n", "\r\n")
    ds = read_points(write(tmp_path, "bom.csv", text))
    assert ds.columns == ("a", "b")  # the BOM is not part of the first name
    np.testing.assert_array_equal(ds.X, POINTS)


def test_utf16_with_bom_from_a_spreadsheet():
    data = table_text(POINTS, sep="\t").encode("utf-16")
    np.testing.assert_array_equal(read_points(data).X, POINTS)


def test_decimal_comma_with_semicolons():
    ds = read_points(b"x;y\n1,5;2\n-3,25;4,0\n")
    np.testing.assert_array_equal(ds.X, [[1.5, 2.0], [-3.25, 4.0]])


def test_more_numeric_columns_choose_by_name_and_by_index(tmp_path):
    text = "id,a,b,c\n1,10,100,1000\n2,20,200,2000\n3,30,300,3000\n"
    path = write(tmp_path, "wide.csv", text)
    assert numeric_columns(path) == ["id", "a", "b", "c"]
    # the first two by default, passing over "id", which is exactly the row numbers
    np.testing.assert_array_equal(read_points(path).X, [[10, 100], [20, 200], [30, 300]])
    by_name = read_points(path, columns=("c", "a"))
    np.testing.assert_array_equal(by_name.X, [[1000, 10], [2000, 20], [3000, 30]])
    assert by_name.columns == ("c", "a")
    by_index = read_points(path, columns=[3, 1])
    np.testing.assert_array_equal(by_index.X, by_name.X)
    mixed = read_points(text.encode(), columns=("b", 3))
    np.testing.assert_array_equal(mixed.X[:, 0], [100, 200, 300])


def test_columns_without_header_by_index_and_generated_name():
    data = b"1\t2\t3\n4\t5\t6\n"
    assert numeric_columns(data) == ["column 1", "column 2", "column 3"]
    np.testing.assert_array_equal(read_points(data, columns=(2, 0)).X, [[3, 1], [6, 4]])
    np.testing.assert_array_equal(read_points(data, columns=("column 3", "column 1")).X,
                                  [[3, 1], [6, 4]])


def test_label_column_becomes_string_labels(tmp_path):
    labels = ["setosa", "virginica", "setosa", "versicolor"]
    ds = read_points(write(tmp_path, "l.csv", table_text(POINTS, header=("x", "y", "species"),
                                                          labels=labels)))
    assert ds.labels.dtype.kind == "U"
    assert ds.labels.tolist() == labels
    assert "species" in ds.description
    assert not ds.labels.flags.writeable
    assert numeric_columns(write(tmp_path, "m.csv", "x,y,s\n1,2,a\n3,4,b\n")) == ["x", "y"]


def test_label_column_with_too_many_values_is_not_used():
    n = MAX_LABEL_CLASSES + 5
    text = "x,y,name\n" + "".join(f"{i},{i * i},point {i}\n" for i in range(n))
    ds = read_points(text.encode())
    assert ds.labels is None
    assert "too many" in ds.description


def test_missing_and_non_finite_rows_are_dropped_and_counted(tmp_path):
    good = "".join(f"{i},{2 * i},g\n" for i in range(40))
    bad = "5,,g\n,6,g\nNaN,1,g\n1,nan,g\ninf,1,g\n1,-inf,g\nabc,1,g\n1,1e400,g\n7\n"
    ds = read_points(write(tmp_path, "holes.csv", "x,y,tag\n" + good + bad + "\n\n"))
    assert ds.X.shape == (40, 2)
    np.testing.assert_array_equal(ds.X[:, 1], 2 * np.arange(40))
    assert ds.dropped == 9
    # header on line 1, the 40 good rows on lines 2 to 41; "NaN" and "nan" are missing values
    assert ("dropped 9 rows: 5 with a missing value (lines 42, 43, 44, 45, 50); 1 with a value "
            "that is not a number (line 48); 3 with an infinite or too large value "
            "(lines 46, 47, 49).") in ds.description
    assert len(ds.labels) == 40
    one = read_points(b"x,y\n1,2\n3,4\n5,x\n")
    assert one.dropped == 1 and "dropped 1 row: 1 with a value that is not a number (line 4)." in one.description


def test_quotes_spaces_trailing_delimiters_and_blank_lines():
    text = '\n\n "x" , y ,"name"\n 1 , 2 , "Smith, J"\n3,4,"Doe; A"\n\n5,6,plain\n7,8,"two\nlines"\n'
    ds = read_points(text.encode())
    assert ds.columns == ("x", "y")
    np.testing.assert_array_equal(ds.X, [[1, 2], [3, 4], [5, 6], [7, 8]])
    assert ds.labels.tolist() == ["Smith, J", "Doe; A", "plain", "two\nlines"]
    assert ds.dropped == 0
    trailing = read_points(b"x,y\n1,2,\n3,4,\n5,6,\n")  # a header shorter than the rows
    assert trailing.columns == ("x", "y")
    np.testing.assert_array_equal(trailing.X, [[1, 2], [3, 4], [5, 6]])


def test_decimal_commas_win_a_tie_between_semicolon_and_comma():
    # split by commas this is also a table with two columns of numbers (1 | 5;2 | 25)
    ds = read_points(b"1,5;2,25\n3,5;4,75\n6,0;7,5\n")
    np.testing.assert_array_equal(ds.X, [[1.5, 2.25], [3.5, 4.75], [6.0, 7.5]])


def test_semicolons_inside_a_comma_file_do_not_fool_the_sniffer():
    ds = read_points(b"1,2,a;b\n3,4,c;d\n5,6,e;f\n")
    np.testing.assert_array_equal(ds.X, [[1, 2], [3, 4], [5, 6]])
    assert ds.labels.tolist() == ["a;b", "c;d", "e;f"]
    assert ds.description.startswith("Read 3 points from column 1 and column 2.")


def test_repeated_header_names_stay_distinct():
    names = numeric_columns(b"x,x,y\n1,2,3\n4,5,6\n")
    assert len(set(names)) == 3 and names[0] == "x"
    np.testing.assert_array_equal(read_points(b"x,x,y\n1,2,3\n4,5,6\n", columns=names[1:]).X,
                                  [[2, 3], [5, 6]])


def test_header_names_are_data_not_code(tmp_path):
    text = '"__import__(\'os\').system(\'false\')","=1+1"\n1,2\n3,4\n'
    ds = read_points(write(tmp_path, "evil.csv", text))
    assert ds.columns == ("__import__('os').system('false')", "=1+1")
    np.testing.assert_array_equal(ds.X, [[1, 2], [3, 4]])


def test_exactly_the_point_limit_is_read(monkeypatch):
    monkeypatch.setattr(cio, "MAX_POINTS", 10)
    text = "x,y\n" + "".join(f"{i},{i}\n" for i in range(10))
    assert read_points(text.encode()).X.shape == (10, 2)
    with pytest.raises(DataError, match="11 points"):
        read_points((text + "10,10\n").encode())


# --- bad files ---------------------------------------------------------------------------------------

BAD_FILES = {
    "empty": (b"", "empty"),
    "blank lines": (b"\n \n\t\n", "empty"),
    "only a byte order mark": (b"\xef\xbb\xbf\n", "empty"),
    "header only": (b"x,y\n", "no rows"),
    "one numeric column": (b"x\n1\n2\n3\n", "one column"),
    "one numeric column and text": (b"x,name\n1,a\n2,b\n3,c\n", "only one column of numbers"),
    "no numbers": (b"a,b\nc,d\ne,f\n", "no column of numbers"),
    "one usable point": (b"x,y\n1,2\n3,\nfoo,4\n", "one usable point"),
    "no usable point": (b"x,y\n1,\n,2\n", "no usable point"),
    "prose": (b"Dear student, here are my data.\nThey are good\nreally, truly, very good.\n",
              "not look like a table"),
    "binary": (random.Random(0).randbytes(4096), "not a text table"),
    "not utf-8": ("x,y\n1,2\ncafé,3\n".encode("latin-1"), "not UTF-8"),
    "zip-like": (b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), "not a text table"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_files_raise_plain_data_errors(tmp_path, case):
    content, expected = BAD_FILES[case]
    path = write(tmp_path, "bad.csv", content)
    for source in (path, content):
        with pytest.raises(DataError) as info:
            read_points(source)
        assert expected in str(info.value)
        assert_plain(str(info.value))
        assert isinstance(info.value, ValueError)


def test_numeric_columns_reports_unreadable_files():
    with pytest.raises(DataError, match="not UTF-8"):
        numeric_columns(BAD_FILES["not utf-8"][0])
    assert numeric_columns(b"x,name\n1,a\n2,b\n") == ["x"]


def test_more_than_a_million_points():
    data = b"x,y\n" + b"0,1\n" * (MAX_POINTS + 1)
    with pytest.raises(DataError) as info:
        read_points(data)
    assert "1,000,001 points" in str(info.value)
    assert_plain(str(info.value))


def test_missing_file_and_folder(tmp_path):
    for source in (tmp_path / "nowhere.csv", tmp_path):
        with pytest.raises(DataError) as info:
            read_points(source)
        assert_plain(str(info.value))


@pytest.mark.parametrize("columns", [("x", "nope"), (0, 9), ("x", "x"), ("x", "label"),
                                     ("x",), "xy", 5, (0.5, 1), (True, 1)])
def test_bad_column_choices(columns):
    data = b"x,y,z,label\n1,2,3,a\n4,5,6,b\n"
    with pytest.raises(DataError) as info:
        read_points(data, columns=columns)
    assert_plain(str(info.value))


def test_a_large_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as handle:  # sparse: takes no room on disk and no time
        handle.truncate(MAX_FILE_BYTES + 1)

    def no_reading(*args, **kwargs):
        raise AssertionError("the file was opened before its size was checked")

    monkeypatch.setattr(cio, "open", no_reading, raising=False)  # shadows the builtin in io
    monkeypatch.setattr(cio, "_decode", no_reading)
    for source in (path, str(path)):
        with pytest.raises(DataError) as info:
            read_points(source)
        assert "50.1 MB" in str(info.value) and "50 MB" in str(info.value)
        assert_plain(str(info.value))
    monkeypatch.undo()
    # bytes: the length is checked before decoding
    monkeypatch.setattr(cio, "MAX_FILE_BYTES", 100)
    monkeypatch.setattr(cio, "_decode", no_reading)
    with pytest.raises(DataError, match="more than"):
        read_points(b"x,y\n" + b"1,2\n" * 30)


def test_a_file_of_exactly_the_limit_is_not_refused_for_its_size(tmp_path):
    path = tmp_path / "limit.csv"
    with open(path, "wb") as handle:
        handle.truncate(MAX_FILE_BYTES)  # zeros: refused, but as binary, not as too big
    with pytest.raises(DataError) as info:
        read_points(path)
    assert "not a text table" in str(info.value)


def test_pandas_failures_become_plain_messages(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("Error tokenizing data. C error: Expected 2 fields in line 3, saw 5")

    monkeypatch.setattr(cio.pd, "read_csv", broken)
    with pytest.raises(DataError) as info:
        read_points(b"x,y\n1,2\n3,4\n")
    assert_plain(str(info.value))


# --- round trip ---------------------------------------------------------------------------------------

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@settings(max_examples=150, deadline=None)
@given(X=arrays(np.float64, st.tuples(st.integers(2, 40), st.just(2)), elements=finite),
       sep=st.sampled_from([",", ";", "\t"]), header=st.booleans())
def test_round_trip(X, sep, header):
    text = table_text(X, header=("x", "y") if header else None, sep=sep)
    ds = read_points(text.encode())
    np.testing.assert_array_equal(ds.X, X)
    assert ds.dropped == 0
