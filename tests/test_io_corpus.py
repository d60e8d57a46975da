"""The files people really have: each shape as R, Excel (German), Rdatasets, scikit-learn and
numpy write it, with the exact points expected; and a round trip through pandas' to_csv in
every supported dialect."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from clustering.io import DataError, ReadSettings, inspect, numeric_columns, read_points, read_table

IRIS_HEAD = [  # Sepal.Length, Sepal.Width, Petal.Length, Petal.Width, Species
    (5.1, 3.5, 1.4, 0.2, "setosa"),
    (4.9, 3.0, 1.4, 0.2, "setosa"),
    (7.0, 3.2, 4.7, 1.4, "versicolor"),
    (6.3, 3.3, 6.0, 2.5, "virginica"),
]
IRIS_NAMES = ("Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width")
ROW_NAMES = ("1", "2", "51", "101")  # R keeps the row names of a subset


def _r_number(value: float) -> str:
    return f"{value:g}"  # R writes 3 for 3.0


def r_write_table(sep: str) -> str:
    """R's write.table(iris[c(1, 2, 51, 101), ], sep=sep): quoted names, no name over the row names."""
    lines = [sep.join(f'"{name}"' for name in (*IRIS_NAMES, "Species"))]
    for row_name, row in zip(ROW_NAMES, IRIS_HEAD, strict=True):
        lines.append(sep.join([f'"{row_name}"', *map(_r_number, row[:4]), f'"{row[4]}"']))
    return "\n".join(lines) + "\n"


def r_write_csv(first: str = '""', quoted_row_names: bool = True) -> str:
    """R's write.csv (first = '""') and Rdatasets' files (first = '"rownames"')."""
    lines = [",".join([first, *(f'"{name}"' for name in (*IRIS_NAMES, "Species"))])]
    for row_name, row in zip(ROW_NAMES, IRIS_HEAD, strict=True):
        name = f'"{row_name}"' if quoted_row_names else row_name
        lines.append(",".join([name, *map(_r_number, row[:4]), f'"{row[4]}"']))
    return "\n".join(lines) + "\n"


EXCEL_GERMAN = (  # Excel, German locale, "CSV (Trennzeichen-getrennt)": ; , and . for thousands
    "sep=;\r\n"
    "Stadt;Einwohner;Fläche km²;Dichte\r\n"
    "Berlin;3.645.000;891,7;4.088\r\n"
    "Hamburg;1.841.000;755,2;2.438\r\n"
    "Kiel;246.601;118,6;2.079\r\n"
    "Jena;110.731;114,8;965\r\n"
)
SKLEARN_IRIS = (  # sklearn/datasets/data/iris.csv: counts and class names, then the rows
    "150,4,setosa,versicolor,virginica\n"
    "5.1,3.5,1.4,0.2,0\n"
    "4.9,3.0,1.4,0.2,0\n"
    "7.0,3.2,4.7,1.4,1\n"
    "6.3,3.3,6.0,2.5,2\n"
)
SKLEARN_BREAST_CANCER = (  # a counts line shorter than the rows
    "4,3,malignant,benign\n"
    "17.99,10.38,122.8,0\n"
    "20.57,17.77,132.9,0\n"
    "13.54,14.36,87.46,1\n"
    "7.76,24.54,47.92,1\n"
)
SPACE_SEPARATED = (  # numpy.savetxt's default, and a hand-aligned table
    "1.500000000000000000e+00 -2.000000000000000000e+00\n"
    "3.250000000000000000e+00 4.000000000000000000e+00\n"
    "0.000000000000000000e+00 1.000000000000000021e-03\n"
)
ALIGNED = "  x     y\n  1.5   2\n 30    -4.25\n  7     8\n"
UNITS_ROW = "height,weight,sex\ncm,kg,\n170,65.5,f\n182.5,80,m\n165,58,f\n"
ENGLISH_THOUSANDS = 'city,population,area\nA,"1,000",2.5\nB,"8,425,333",310.25\nC,999,"1,204.5"\n'


def iris_points(i: int = 0, j: int = 1) -> np.ndarray:
    return np.array([[row[i], row[j]] for row in IRIS_HEAD])


CORPUS = {
    # name: (text, expected default columns, expected points, expected labels)
    "R write.table, tab": (r_write_table("\t"), IRIS_NAMES[:2], iris_points(), "Species"),
    "R write.table, space": (r_write_table(" "), IRIS_NAMES[:2], iris_points(), "Species"),
    "R write.csv": (r_write_csv(), IRIS_NAMES[:2], iris_points(), "Species"),
    "Rdatasets, rownames": (r_write_csv('"rownames"', False), IRIS_NAMES[:2], iris_points(),
                            "Species"),
    "Rdatasets, empty name": (r_write_csv('""', False), IRIS_NAMES[:2], iris_points(),
                              "Species"),
    "Excel German": (EXCEL_GERMAN, ("Einwohner", "Fläche km²"),
                     [[3_645_000, 891.7], [1_841_000, 755.2], [246_601, 118.6],
                      [110_731, 114.8]], "Stadt"),
    "scikit-learn iris": (SKLEARN_IRIS, ("column 1", "column 2"), iris_points(), None),
    "scikit-learn breast cancer": (SKLEARN_BREAST_CANCER, ("column 1", "column 2"),
                                   [[17.99, 10.38], [20.57, 17.77], [13.54, 14.36],
                                    [7.76, 24.54]], None),
    "Excel sep= line": ("sep=;\nx;y\n1,5;2\n3;4,25\n-0,5;1e3\n", ("x", "y"),
                        [[1.5, 2], [3, 4.25], [-0.5, 1000]], None),
    "space separated (numpy)": (SPACE_SEPARATED, ("column 1", "column 2"),
                                [[1.5, -2], [3.25, 4], [0, 1.000000000000000021e-03]], None),
    "space separated, aligned": (ALIGNED, ("x", "y"), [[1.5, 2], [30, -4.25], [7, 8]], None),
    "units row": (UNITS_ROW, ("height", "weight"), [[170, 65.5], [182.5, 80], [165, 58]], "sex"),
    "English thousands": (ENGLISH_THOUSANDS, ("population", "area"),
                          [[1000, 2.5], [8_425_333, 310.25], [999, 1204.5]], "city"),
}


@pytest.mark.parametrize("case", CORPUS)
def test_each_shape_reads_to_the_exact_points(case):
    text, names, points, label_column = CORPUS[case]
    ds = read_points(text.encode())
    assert ds.columns == names
    np.testing.assert_array_equal(ds.X, np.array(points, dtype=float))
    assert ds.dropped == 0
    if label_column is None:
        assert ds.labels is None
    else:
        assert f"Labels from column {label_column}." in ds.description


@pytest.mark.parametrize("case", [c for c in CORPUS if c.startswith("R")])
def test_r_files_keep_names_with_their_columns_and_leave_the_row_names_out(case):
    text = CORPUS[case][0]
    assert numeric_columns(text.encode()) == list(IRIS_NAMES)  # not the row names, not Species
    petals = read_points(text.encode(), columns=("Petal.Length", "Petal.Width"))
    np.testing.assert_array_equal(petals.X, iris_points(2, 3))  # Petal.Length is petal length
    assert petals.labels.tolist() == [row[4] for row in IRIS_HEAD]
    reading = inspect(text.encode())
    assert reading.settings.index_column is True and reading.settings.header is True
    assert reading.columns[0].kind == "index"
    assert any("row names" in note or "index" in note for note in reading.notes)


def test_the_german_file_says_how_each_column_was_read():
    reading = inspect(EXCEL_GERMAN.encode("utf-8"))
    assert reading.settings == ReadSettings(separator=";", decimal=",", thousands=".",
                                            header=True, index_column=False, skip_lines=1,
                                            units_row=False)
    described = [column.describe() for column in reading.columns]
    assert described == ["Stadt: text", "Einwohner: decimal comma, thousands '.'",
                         "Fläche km²: decimal comma", "Dichte: decimal comma, thousands '.'"]
    assert "sep=;" in reading.notes[0]
    density = read_points(EXCEL_GERMAN.encode(), columns=("Fläche km²", "Dichte"))
    np.testing.assert_array_equal(density.X[:, 1], [4088, 2438, 2079, 965])  # 1.065 is 1065


def test_a_decimal_point_column_is_not_grouped_by_another_columns_marks():
    # "1.065" is 1.065 here: the file's decimal mark is the point
    ds = read_points(b"a;b\n1.065;2.5\n2.130;3.75\n")
    np.testing.assert_array_equal(ds.X, [[1.065, 2.5], [2.13, 3.75]])
    # and a column of grouped values next to one that is not: each read its own way
    ds = read_points(b"a;b\n1.065,5;1,5\n8.425.333;2\n12;3,25\n")
    np.testing.assert_array_equal(ds.X, [[1065.5, 1.5], [8425333, 2], [12, 3.25]])


def test_the_counts_line_is_skipped_and_said():
    _, reading = read_table(SKLEARN_IRIS.encode())
    assert reading.settings.skip_lines == 1 and reading.settings.header is False
    assert "150,4,setosa,versicolor,virginica" in reading.notes[0]
    assert "skipped" in reading.notes[0]


def test_units_row_is_named_and_can_be_read_as_a_point_only_by_choice():
    _, reading = read_table(UNITS_ROW.encode())
    assert [c.unit for c in reading.columns] == ["cm", "kg", ""]
    assert reading.columns[0].describe() == "height (unit: cm): decimal point"
    forced = read_points(UNITS_ROW.encode(), settings=ReadSettings(units_row=False))
    assert forced.dropped == 1  # then the units row is a row without numbers, and says so
    assert "1 with a value that is not a number (line 2)" in forced.description


def test_a_row_number_column_is_offered_but_not_the_default():
    text = b"id,x,y\n1,0.5,2\n2,1.5,4\n3,2.5,8\n"
    assert numeric_columns(text) == ["id", "x", "y"]
    np.testing.assert_array_equal(read_points(text).X, [[0.5, 2], [1.5, 4], [2.5, 8]])
    np.testing.assert_array_equal(read_points(text, columns=("id", "y")).X, [[1, 2], [2, 4], [3, 8]])
    # with no other second column, the row numbers are used, and the description says so
    only = read_points(b"t,v\n1,5\n2,7\n3,9\n")
    np.testing.assert_array_equal(only.X, [[1, 5], [2, 7], [3, 9]])
    assert "exactly the row numbers" in only.description


def test_every_setting_can_be_overridden():
    text = EXCEL_GERMAN.encode()
    # read as if the file had no thousands marks: 3.645.000 is then no number (its row is
    # dropped, with its line) and 246.601 is 246.601; the page says each column's reading
    plain, reading = read_table(text, settings=ReadSettings(thousands=""))
    np.testing.assert_array_equal(plain.X, [[246.601, 118.6], [110.731, 114.8]])
    assert [d.describe() for d in reading.dropped] == [
        "2 rows with a value that is not a number (lines 3, 4)"]
    assert reading.columns[1].describe() == "Einwohner: decimal point"
    dense, _ = read_table(text, columns=("Fläche km²", "Dichte"), settings=ReadSettings(thousands=""))
    np.testing.assert_array_equal(dense.X, [[891.7, 4.088], [755.2, 2.438], [118.6, 2.079],
                                            [114.8, 965]])
    assert reading.columns[3].describe() == "Dichte: decimal point"
    assert any("Dichte" in note and "other one" in note for note in reading.notes)
    # a header forced off: the header line becomes a row of text, dropped and counted
    no_header = read_points(b"x,y\n1,2\n3,4\n", settings=ReadSettings(header=False))
    assert no_header.columns == ("column 1", "column 2") and no_header.dropped == 1
    # the separator forced to a comma: "1,5;2" splits differently
    with pytest.raises(DataError):
        read_points(b"x;y\n1,5;2\n3,5;4\n", settings=ReadSettings(separator=",", decimal="."))
    # the index column forced off in R's write.csv: the row names are a column of numbers
    r_csv = r_write_csv().encode()
    off = inspect(r_csv, ReadSettings(index_column=False))
    assert off.numeric_names()[0] == "row names" and off.columns[0].row_numbers is False
    assert off.detected.index_column is True  # what was detected is still known
    # the decimal mark forced: 1,5 is no longer a number
    forced = read_points(b"x;y\n1,5;2\n3;4\n5;6\n", settings=ReadSettings(decimal="."))
    assert forced.dropped == 1


def test_override_keeps_the_rest_detected():
    reading = inspect(EXCEL_GERMAN.encode(), ReadSettings(header=True))
    assert reading.settings == replace(reading.detected, header=True)


# --- a round trip through pandas' to_csv in every supported dialect ------------------------------

# Written numbers: the shortest repr of any finite float; with thousands grouping (which to_csv
# doesn't write), numbers whose repr has no exponent, as spreadsheets write them.
any_float = st.floats(allow_nan=False, allow_infinity=False, width=64)
groupable = st.one_of(st.just(0.0),
                      st.floats(min_value=1e-4, max_value=1e15) | st.floats(min_value=-1e15, max_value=-1e-4))


def grouped_text(value: float, decimal: str) -> str:
    """value with "," grouping thousands (Python's format), marks swapped for a decimal comma."""
    text = format(value, ",")
    if decimal == ",":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


@settings(max_examples=150, deadline=None)
@given(data=st.data(), n=st.integers(3, 30), d=st.integers(2, 4),
       sep=st.sampled_from([",", ";", "\t", " "]), decimal=st.sampled_from([".", ","]),
       grouping=st.booleans(), index=st.booleans(), header=st.booleans(),
       bom=st.booleans(), crlf=st.booleans())
def test_to_csv_in_any_dialect_reads_back_to_the_same_numbers(data, n, d, sep, decimal, grouping,
                                                             index, header, bom, crlf):
    # a comma separated file with decimal commas is ambiguous (is "1,065" 1065 or 1.065?);
    # no spreadsheet writes it: decimal commas come with semicolons (Excel) or tabs
    assume(not (sep == "," and decimal == ","))
    elements = groupable if grouping else any_float
    X = data.draw(arrays(np.float64, (n, d), elements=elements))
    names = [f"c{j}" for j in range(d)]
    frame = pd.DataFrame(X, columns=names)
    if grouping:
        frame = frame.map(lambda v: grouped_text(float(v), decimal))
    text = frame.to_csv(sep=sep, decimal=decimal, index=index, header=header,
                        lineterminator="\r\n" if crlf else "\n")
    content = ("\ufeff" if bom else "").encode() + text.encode("utf-8")

    first, last = (names[0], names[-1]) if header else ("column 1", f"column {d}")
    if index and not header:  # the index is then a column of numbers, exactly the row numbers
        first, last = "column 2", f"column {d + 1}"
    default = read_points(content)
    np.testing.assert_array_equal(default.X, X[:, :2])
    assert default.dropped == 0
    chosen = read_points(content, columns=(last, first))
    np.testing.assert_array_equal(chosen.X, X[:, [d - 1, 0]])


def test_only_blank_lines_are_left_out_unsaid():
    ds, reading = read_table(b"x,y\n1,2\nNA,NA\n,\n\n3,4\n5,6\n")
    np.testing.assert_array_equal(ds.X, [[1, 2], [3, 4], [5, 6]])
    assert ds.dropped == 2  # "NA,NA" and "," are rows with missing values; line 5 is blank
    assert [d.describe() for d in reading.dropped] == ["2 rows with a missing value (lines 3, 4)"]


def test_a_large_file_reads_every_number_exactly():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200_000, 2)) * 10.0 ** rng.integers(-5, 6, size=(200_000, 2))
    frame = pd.DataFrame(X, columns=["a", "b"])
    frame["k"] = rng.choice(["p", "q"], 200_000)
    for sep, decimal in ((",", "."), (";", ",")):
        ds = read_points(frame.to_csv(index=False, sep=sep, decimal=decimal).encode())
        np.testing.assert_array_equal(ds.X, X)
        assert ds.labels.tolist() == frame["k"].tolist()


def test_unquoted_thousands_in_a_comma_file_are_refused_not_misread():
    # "1,000" unquoted splits into "1" and "000": never read as row names and a column of 0
    with pytest.raises(DataError) as info:
        read_points(b"a,b\n1,000,2.5\n12,345,3.25\n7,001,1\n")
    assert "thousands marks without quotes" in str(info.value)
