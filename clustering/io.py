"""Reading a person's own points from a CSV, TSV or space separated text file.

``read_points(source, columns=None)`` turns the text into a ``Dataset``; ``read_table`` does
the same and also returns a ``Reading``, which says how the file was read: the separator,
the decimal and thousands marks, header or not, index column or not, the lines skipped, how
each column was read and which rows were dropped and why. ``inspect`` gives the ``Reading``
before any column is chosen, so a page can offer the columns of numbers and show the settings.

pandas' ``read_csv`` reads every file. The text is only looked at to choose its options
(``sep``, ``decimal``, ``thousands``, ``skiprows``, which column is the index); every choice can
be overridden with ``ReadSettings``. Nothing is changed silently: a value that is not a
number drops its row, and the ``Reading`` counts and locates every dropped row.

Every problem with a file raises ``DataError``, whose text is one or two plain sentences: what
is wrong, and what to do about it. The file's text is data: header names are shown, never
interpreted (no eval, no pickle).
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from clustering.constants import (
    IO_SAMPLE_CHARS,
    IO_SAMPLE_ROWS,
    MAX_FILE_BYTES,
    MAX_LABEL_CHARS,
    MAX_LABEL_CLASSES,
    MAX_POINTS,
)
from clustering.datasets import Dataset

SPACES = " "  # the separator "any run of spaces or tabs" (pandas' sep=r"\s+")
SEPARATORS = ("\t", ";", ",", SPACES)  # in order of preference (see _fitting_separators)
SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", SPACES: "spaces"}
DECIMAL_MARKS = (".", ",")
THOUSANDS_MARKS = ("", ".", ",", " ", "'")  # "" = no thousands grouping
MARK_NAMES = {"": "none", ".": "'.'", ",": "','", " ": "space", "'": "apostrophe"}
ROW_NAME_HEADERS = frozenset({"", "rownames", "unnamed: 0", "row.names"})
SHOWN_LINES = 5  # dropped rows: the line numbers of the first few are given
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "?", "#n/a", "missing"})
_NA_VALUES = sorted(MISSING | {m.upper() for m in MISSING} | {m.title() for m in MISSING})
Source = bytes | bytearray | memoryview | str | os.PathLike  # what read_points accepts
SAVE_AS_CSV = (
    "Save the data as a CSV file (comma, semicolon, tab or space separated, UTF-8) and upload "
    "it again."
)

# A cell that looks like a number in some locale: 1, -1.5, 1,5, .5, 1e-3, 1.065,5, 8.425.333
# (not "1 065": then "100,0 100,0" would split at its commas into numbers too)
_NUMBERISH = re.compile(r"[+-]?(?:\d+(?:[.,]\d{3})*(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
_NON_FINITE = r"[+-]?(?:inf|infinity|nan)"
_NON_FINITE_ANY_CASE = r"[+-]?(?:[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN])"
DECIMAL_SAMPLE = 5_000  # values of each column that decide the decimal mark


class DataError(ValueError):
    """A problem with a person's file; str() is one or two plain sentences saying what to do."""


@dataclass(frozen=True)
class ReadSettings:
    """How to read a file: each field None means "detect it from the text".

    separator : ",", ";", "\\t" or " " (any run of spaces or tabs).
    decimal : "." or ",".
    thousands : the thousands mark a column may be grouped with ("." "," " " "'"), or "" for
        none. A column is read with it only when all of its values are grouped numbers
        (e.g. 1.065 and 8.425.333 with "."), so 1.5 in another column stays 1.5.
    header : the first line read (after the skipped ones) names the columns.
    index_column : the first column holds row names (R's write.table and write.csv): it is
        neither a coordinate nor labels.
    skip_lines : lines at the top that are neither header nor points (Excel's "sep=;" line,
        scikit-learn's "150,4,setosa,..." counts line).
    units_row : the line under the header holds units (cm, kg), not a point.
    """

    separator: str | None = None
    decimal: str | None = None
    thousands: str | None = None
    header: bool | None = None
    index_column: bool | None = None
    skip_lines: int | None = None
    units_row: bool | None = None

    def describe(self) -> str:
        """One line: "separator semicolon · decimal mark ',' · thousands mark '.' · ..."."""
        parts = [
            f"separator {SEPARATOR_NAMES.get(self.separator or '', self.separator)}",
            f"decimal mark {MARK_NAMES.get(self.decimal or '', self.decimal)}",
            f"thousands mark {MARK_NAMES.get(self.thousands or '', self.thousands)}",
            f"header {'yes' if self.header else 'no'}",
            f"index column {'yes' if self.index_column else 'no'}",
        ]
        if self.skip_lines:
            parts.append(f"{self.skip_lines} line{'s' if self.skip_lines > 1 else ''} skipped at the top")
        if self.units_row:
            parts.append("a units row under the header")
        return " · ".join(parts)


@dataclass(frozen=True)
class ColumnReading:
    """How one column was read."""

    name: str
    kind: str  # "numbers", "text" (labels or names), "empty" or "index"
    decimal: str = "."
    thousands: str = ""  # the grouping mark of its values, "" when not grouped
    row_numbers: bool = False  # its values are exactly 1, 2, ..., N (or 0, 1, ..., N - 1)
    unit: str = ""

    @property
    def numeric(self) -> bool:
        return self.kind == "numbers"

    def describe(self) -> str:
        """E.g. "x: decimal comma, thousands '.'" or "species: text"."""
        if self.kind == "index":
            what = "row names (the index column, not a coordinate)"
        elif self.kind != "numbers":
            what = self.kind
        else:
            what = "decimal comma" if self.decimal == "," else "decimal point"
            if self.thousands:
                what += f", thousands {MARK_NAMES[self.thousands]}"
            if self.row_numbers:
                what += "; exactly the row numbers, so not chosen by default"
        unit = f" (unit: {self.unit})" if self.unit else ""
        return f"{self.name}{unit}: {what}"


@dataclass(frozen=True)
class DroppedRows:
    """Rows left out for one reason: how many, and the file lines of the first few."""

    reason: str
    count: int
    lines: tuple[int, ...] = ()  # 1-based line numbers in the file (empty when unknown)

    def describe(self, short: bool = False) -> str:
        """E.g. "2 rows with a missing value (lines 3, 9)"; short: "2 with a missing value ..."."""
        rows = "" if short else (" row" if self.count == 1 else " rows")
        text = f"{self.count:,}{rows} {self.reason}"
        if self.lines:
            shown = ", ".join(f"{line:,}" for line in self.lines)
            more = ", …" if self.count > len(self.lines) else ""
            text += f" (line{'s' if self.count > 1 else ''} {shown}{more})"
        return text


@dataclass(frozen=True)
class Reading:
    """How a file was read: the settings used, each column, notes, the rows dropped."""

    settings: ReadSettings  # every field set
    detected: ReadSettings  # what the text suggested before any override
    columns: tuple[ColumnReading, ...]
    notes: tuple[str, ...] = ()  # sentences about skipped lines and choices made
    dropped: tuple[DroppedRows, ...] = ()  # filled by read_table for the two chosen columns

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def numeric_names(self) -> list[str]:
        """The columns of numbers a person can choose from, in file order."""
        return [column.name for column in self.columns if column.numeric]

    def default_columns(self) -> tuple[str, str] | None:
        """The first two columns of numbers that are not just the row numbers (those only
        when nothing else is left), or None when there are fewer than two."""
        numeric = [column for column in self.columns if column.numeric]
        ordered = [c for c in numeric if not c.row_numbers] + [c for c in numeric if c.row_numbers]
        if len(ordered) < 2:
            return None
        first, second = sorted(ordered[:2], key=numeric.index)
        return first.name, second.name


@dataclass(frozen=True)
class _Layout:
    """Where the table is in the text: separator, lines to skip, header, index."""

    separator: str
    n_columns: int
    skip_lines: int
    header: bool
    index_column: bool
    units_row: bool
    names: tuple[str, ...]
    units: tuple[str, ...]
    first_line: int  # 0-based line of the text where the header, or the first point, is
    data_line: int  # 0-based line of the text where the points start
    notes: tuple[str, ...]
    sample: tuple[tuple[str, ...], ...] = ()  # the sample's rows of points, split


# --- from source to text -----------------------------------------------------------------------


def _too_big(size: int) -> DataError:
    megabytes = math.ceil(size / 1_048_576 * 10) / 10  # rounded up: 50 MB + 1 byte is 50.1 MB
    return DataError(
        f"The file is {megabytes:,.1f} MB, more than the {MAX_FILE_BYTES / 1_048_576:,.0f} MB "
        "Clustering Lab reads. Use a sample of its rows or keep only the two columns you need."
    )


def _source_bytes(source: Source) -> tuple[bytes, str | None]:
    """The bytes of source and its file name (None for bytes); the size is checked first."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if len(data) > MAX_FILE_BYTES:
            raise _too_big(len(data))
        return data, None
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(
            "read_points reads bytes or a file path; for an uploaded file pass its bytes "
            "(uploaded_file.getvalue())."
        )
    path = os.fspath(source)
    shown = os.path.basename(path) or path
    try:
        size = os.stat(path).st_size  # before reading a single byte
    except FileNotFoundError:
        raise DataError(f"There is no file at {path}. Check the file name and its folder.") from None
    except OSError:
        raise DataError(f"The file {shown} could not be opened. Check that it exists and is readable.") from None
    if size > MAX_FILE_BYTES:
        raise _too_big(size)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except IsADirectoryError:
        raise DataError(f"{shown} is a folder, not a file. Choose the CSV file inside it.") from None
    except OSError:
        raise DataError(f"The file {shown} could not be opened. Check that it exists and is readable.") from None
    if len(data) > MAX_FILE_BYTES:  # it grew after stat
        raise _too_big(len(data))
    return data, os.path.basename(path)


def _decode(data: bytes) -> str:
    """UTF-8 text (a BOM is removed; UTF-16 with a BOM, as some spreadsheets save, is accepted)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise DataError("The file is not readable text. " + SAVE_AS_CSV) from None
    if b"\x00" in data:
        raise DataError(
            "The file is not a text table (it looks like a binary file, such as a spreadsheet "
            "or an image). " + SAVE_AS_CSV
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(
            "The file is not UTF-8 text. Save it again as \"CSV UTF-8\" (in Excel or "
            "LibreOffice: Save As, CSV, character set UTF-8) and upload it again."
        ) from None
    controls = sum(1 for ch in text[:IO_SAMPLE_CHARS] if ch < " " and ch not in "\t\r\n")
    if controls > 0.01 * min(len(text), IO_SAMPLE_CHARS):
        raise DataError("The file is not a text table (it holds control characters). " + SAVE_AS_CSV)
    return text


def _text(source: Source) -> tuple[str, str | None]:
    data, file_name = _source_bytes(source)
    text = _decode(data)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"\A(?:[ \t]*\n)+", "", text)  # leading blank lines
    return text, file_name


# --- the layout: separator, skipped lines, header, index ----------------------------------------------


def _split(lines: Sequence[str], separator: str) -> list[list[str]]:
    """The fields of each line (quotes as in CSV), stripped; for detection only."""
    if separator == SPACES:
        lines = [re.sub(r"[ \t]+", " ", line.strip()) for line in lines]
    reader = csv.reader(lines, delimiter=separator, skipinitialspace=True)
    return [[cell.strip() for cell in row] for row in reader]


def _kind(cell: str) -> str:
    """'missing', 'number' (in some locale: 1.5, 1,5, 1.065,5, inf) or 'text'."""
    if cell.lower() in MISSING:
        return "missing"
    if _NUMBERISH.fullmatch(cell) or re.fullmatch(_NON_FINITE, cell, re.IGNORECASE):
        return "number"
    return "text"


def _numeric_flags(rows: list[list[str]], n_columns: int) -> list[bool]:
    """A column holds numbers when at least half of its non-missing cells are numbers."""
    flags = []
    for j in range(n_columns):
        column = Counter(_kind(row[j]) for row in rows if j < len(row))
        flags.append(column["number"] > 0 and column["number"] >= column["text"])
    return flags


def _fitting_separators(lines: list[str]) -> list[tuple[str, int]]:
    """The separators that fit the sample, each with its number of columns.

    A separator fits when at least 80 % of the sample's rows below the first split into the
    same number (>= 2) of fields (the first row, a header or a counts line, may differ).
    """
    body = lines[1:] or lines
    fitting = []
    for separator in SEPARATORS:
        counts = Counter(len(row) for row in _split(body, separator))
        n_columns, rows = counts.most_common(1)[0]
        if n_columns >= 2 and rows >= 0.8 * len(body):
            fitting.append((separator, n_columns))
    return fitting


def _shown(line: str) -> str:
    return line if len(line) <= 60 else line[:57] + "…"


def _layout(text: str, given: ReadSettings) -> _Layout:
    """Separator, skipped lines, header, index column and units row, from the first lines."""
    sample = text[:IO_SAMPLE_CHARS]
    physical = sample.split("\n")
    if len(text) > IO_SAMPLE_CHARS and len(physical) > 1:
        physical = physical[:-1]  # the last line of the sample may be cut short
    numbered = [(i, line) for i, line in enumerate(physical) if line.strip()][: IO_SAMPLE_ROWS + 3]
    if not numbered:
        raise DataError("The file is empty. Choose a file with one point per row.")
    notes: list[str] = []

    # Excel's separator hint, "sep=;", as the first line
    hint = re.fullmatch(r'"?sep=(.)"?[,;\t]*', numbered[0][1].strip(), re.IGNORECASE)
    hint_lines = 1 if hint else 0
    if hint:
        notes.append(f"Line 1, “{numbered[0][1].strip()}”, is Excel's separator hint: it "
                     "names the separator and is not read as data.")
    lines = [line for _, line in numbered[hint_lines:]]
    if not lines:
        raise DataError("The file is empty. Choose a file with one point per row.")

    # the separator: of those giving two columns of numbers, the one whose cells are most
    # often numbers (ties: the preferred one)
    separator = given.separator or (hint.group(1) if hint else None)
    if separator is not None:
        if separator in ("\t ", "  ") or separator.isspace() and separator != "\t":
            separator = SPACES
        counts = Counter(len(row) for row in _split(lines[1:] or lines, separator))
        n_columns = counts.most_common(1)[0][0]
    else:
        fitting = _fitting_separators(lines)
        if not fitting:
            if all(len(row) == 1 for row in _split(lines, ",")):
                separator, n_columns = ",", 1
            else:
                raise DataError(
                    "The file does not look like a table: its lines do not split into the same "
                    "number of columns. " + SAVE_AS_CSV
                )
        else:
            def score(option: tuple[str, int]) -> tuple[bool, float]:
                """At least two columns of numbers; then the share of cells that are numbers
                (or missing): "0;1,000,000" split at its commas leaves the text "000;1"."""
                rows = [r for r in _split(lines[1:] or lines, option[0]) if len(r) == option[1]]
                kinds = [_kind(cell) for row in rows for cell in row]
                share = sum(kind != "text" for kind in kinds) / max(len(kinds), 1)
                return sum(_numeric_flags(rows, option[1])) >= 2, share
            separator, n_columns = max(fitting, key=score)  # max keeps the first of ties
    rows = _split(lines, separator)
    body_numeric = _numeric_flags([r for r in rows[1:] if len(r) == n_columns], n_columns)

    # a first line that is neither a header nor a point (scikit-learn's "150,4,setosa,...")
    skip = hint_lines
    if given.skip_lines is not None:
        skip = given.skip_lines
    elif len(rows) > 1:
        first = rows[0]
        kinds = [_kind(cell) for cell in first]
        in_numeric = [_kind(first[j]) for j in range(min(len(first), n_columns)) if body_numeric[j]]
        has_number = "number" in kinds
        other_length = len(first) != n_columns
        mixed = "number" in in_numeric and "text" in in_numeric
        if has_number and (other_length or mixed):
            skip += 1
            why = (f"has {len(first)} fields where the rows below have {n_columns}"
                   if other_length else "mixes numbers and text in the columns of numbers")
            notes.append(f"Line {numbered[hint_lines][0] + 1}, “{_shown(numbered[hint_lines][1].strip())}”, "
                         f"{why}: it is neither a header nor a point (like scikit-learn's counts "
                         "line), so it is skipped.")
    if skip >= len(numbered):
        raise DataError("Every line of the file is skipped. Skip fewer lines at the top.")
    rows = _split([line for _, line in numbered[skip:]], separator)
    first_line = numbered[skip][0]
    first = rows[0]
    body = [r for r in rows[1:] if len(r) == n_columns]
    body_numeric = _numeric_flags(body, n_columns) if body else _numeric_flags(rows, n_columns)

    # a header: no number, and some text, in the columns of numbers
    shift = 1 if len(first) == n_columns - 1 else 0  # R's write.table: no name over the row names
    trailing = shift == 1 and bool(body) and all(r[-1] == "" for r in body)
    if trailing:
        shift = 0  # "x,y" over "1,2,": a separator at the end of every row, not row names
    if given.header is not None:
        header = given.header
    elif len(rows) == 1:
        header = "text" in [_kind(c) for c in first] and "number" not in [_kind(c) for c in first]
    else:
        aligned = [first[j - shift] if 0 <= j - shift < len(first) else "" for j in range(n_columns)]
        in_numeric = [_kind(aligned[j]) for j in range(n_columns) if body_numeric[j]]
        header = "text" in in_numeric and "number" not in in_numeric
    if header and len(rows) == 1:
        raise DataError(
            "The file has a header row but no rows of data. Add one point per row below the header."
        )

    names: list[str]
    if header:
        cells = ["row names"] + first if shift else list(first)
        cells = (cells + [""] * n_columns)[:n_columns]
        cells[0] = cells[0] or "row names"  # R's write.csv heads its row names ""
        names = [cell or f"column {j + 1}" for j, cell in enumerate(cells)]
    else:
        names = [f"column {j + 1}" for j in range(n_columns)]

    # row names: a header one field short (R's write.table) or a first column headed "" (R's
    # write.csv, Rdatasets' "rownames", pandas' "Unnamed: 0")
    if given.index_column is not None:
        index_column = given.index_column and n_columns > 1
    else:
        index_column = header and n_columns > 2 and (
            shift == 1 or (len(first) == n_columns and first[0].lower() in ROW_NAME_HEADERS)
        )
    if (shift == 1 and separator == "," and body and given.separator is None
            and all(re.fullmatch(r"\d{3}", r[1]) for r in body)):
        raise DataError(
            "The numbers seem to use commas as thousands marks without quotes, so 1,000 "
            "splits into two columns. Save the file without thousands marks, or with another "
            "separator such as a semicolon, and upload it again."
        )
    if index_column and header and shift:
        notes.append("The header has one name fewer than the rows, as R's write.table writes "
                     "it: the first column holds the row names.")
    elif index_column and header:
        notes.append(f"The first column is headed “{first[0]}”, as R and pandas head row "
                     "names: it is the index, not a coordinate.")

    # a row of units under the header (height, weight / cm, kg)
    units = [""] * n_columns
    if given.units_row is not None:
        units_row = given.units_row and header and len(rows) > 2
    else:
        units_row = False
        if header and len(rows) > 2:
            below = [r for r in rows[2:] if len(r) == n_columns]
            numeric = _numeric_flags(below, n_columns)
            second = (rows[1] + [""] * n_columns)[:n_columns]
            in_numeric = [_kind(second[j]) for j in range(n_columns) if numeric[j]]
            units_row = bool(in_numeric) and "number" not in in_numeric and "text" in in_numeric
    if units_row:
        second = (rows[1] + [""] * n_columns)[:n_columns]
        units = [cell if _kind(cell) == "text" else "" for cell in second]
        notes.append(f"Line {numbered[skip + 1][0] + 1}, “{_shown(numbered[skip + 1][1].strip())}”, "
                     "holds units, not a point: it is not read as data.")
    data_line = first_line + (1 if header else 0)
    if units_row:
        data_line = numbered[skip + 1][0] + 1
    return _Layout(
        separator=separator, n_columns=n_columns, skip_lines=skip, header=header,
        index_column=index_column, units_row=units_row, names=_unique_names(names),
        units=tuple(units), first_line=first_line, data_line=data_line, notes=tuple(notes),
        sample=tuple(tuple(r) for r in rows[(1 if header else 0) + (1 if units_row else 0):]
                     if len(r) == n_columns),
    )


def _unique_names(names: list[str]) -> tuple[str, ...]:
    """Header names, made distinct: a repeated name gets its column number appended."""
    seen: set[str] = set()
    unique = []
    for j, name in enumerate(names):
        if name in seen:
            name = f"{name} (column {j + 1})"
        seen.add(name)
        unique.append(name)
    return tuple(unique)


# --- pandas reads the table -------------------------------------------------------------------------


def _skipped(layout: _Layout) -> list[int]:
    """The 0-based lines pandas skips: everything above the first point."""
    return list(range(layout.data_line))


def _read_csv(text: str, layout: _Layout, **options) -> tuple[pd.DataFrame, list[int]]:
    """pandas' read_csv with the layout's options; also the 1-based lines it skipped as
    having more fields than the table. pandas' own messages never reach the person."""
    spaces = layout.separator == SPACES
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = pd.read_csv(
                io.StringIO(text),
                sep=r"\s+" if spaces else layout.separator,
                header=None,
                names=list(range(layout.n_columns)),
                skiprows=_skipped(layout),
                skipinitialspace=not spaces,
                skip_blank_lines=False,
                on_bad_lines="warn",
                engine="c",
                quotechar='"',
                **options,
            )
        except Exception as exc:  # any pandas or numpy failure becomes a plain message
            raise DataError("The file could not be read as a table of numbers. " + SAVE_AS_CSV) from exc
    bad = [int(n) for w in caught for n in re.findall(r"Skipping line (\d+)", str(w.message))]
    return frame, bad


def _grouped(mark: str, decimal: str) -> str:
    t, d = re.escape(mark), re.escape(decimal)
    return rf"[+-]?\d{{1,3}}(?:{t}\d{{3}})*(?:{d}\d+)?"


def _plain(decimal: str) -> str:
    d = re.escape(decimal)
    return rf"[+-]?(?:\d+{d}?\d*|{d}\d+)(?:[eE][+-]?\d+)?"


def _decimal_mark(values: list[pd.Series], separator: str) -> str:
    """"," when the values show decimal commas (3,5 or 1.065,5 or 8.425.333), else "."."""
    comma = point = ambiguous = 0
    for s in values:
        grouped_dots = s.str.fullmatch(r"[+-]?\d{1,3}(?:\.\d{3})+")
        grouped_commas = s.str.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})+")
        comma += int((s.str.fullmatch(r"[+-]?\d*,\d+(?:[eE][+-]?\d+)?") & ~grouped_commas).sum())
        comma += int(s.str.fullmatch(r"[+-]?\d{1,3}(?:\.\d{3})+,\d+").sum())
        comma += int(s.str.fullmatch(r"[+-]?\d{1,3}(?:\.\d{3}){2,}").sum())
        point += int((s.str.fullmatch(r"[+-]?\d*\.\d+(?:[eE][+-]?\d+)?") & ~grouped_dots).sum())
        point += int(s.str.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})+\.\d+").sum())
        point += int(s.str.fullmatch(r"[+-]?\d{1,3}(?:,\d{3}){2,}").sum())
        ambiguous += int(grouped_commas.sum())
    if comma != point:
        return "," if comma > point else "."
    # only 1,065-like values: a decimal comma, except in a comma separated file (where a
    # comma inside a number is quoted, as for "1,000" in English spreadsheets)
    return "," if ambiguous and separator != "," else "."


def _column_reading(name: str, values: pd.Series, decimal: str, thousands: str,
                    decimal_given: bool) -> tuple[ColumnReading, pd.Series]:
    """How one column is read, from all of its (non-missing, stripped) values, and which of
    them are numbers that way (a bool Series on the values' index)."""
    plain = values.str.fullmatch(_plain(decimal) + "|" + _NON_FINITE_ANY_CASE)
    mark = ""
    ok = plain
    if (thousands and thousands != decimal and len(values)
            and values.str.contains(thousands, regex=False).any()):
        grouped = values.str.fullmatch(_grouped(thousands, decimal) + "|" + _NON_FINITE_ANY_CASE)
        if grouped.all():
            mark, ok = thousands, grouped
    if not mark and not decimal_given and not plain.all():
        other = "," if decimal == "." else "."
        plain_other = values.str.fullmatch(_plain(other) + "|" + _NON_FINITE_ANY_CASE)
        if plain_other.sum() > plain.sum():
            decimal, ok = other, plain_other
    numbers = int(ok.sum())
    kind = "numbers" if numbers > 0 and numbers >= len(values) - numbers else (
        "text" if len(values) else "empty")
    return ColumnReading(name=name, kind=kind, decimal=decimal, thousands=mark), ok


def _analyse(text: str, given: ReadSettings):
    """The Reading of the text, the layout, the table as pandas read it (numbers where a
    column holds only numbers, else text), the lines pandas skipped, which rows are blank,
    and for each column of numbers which cells are numbers (a bool Series).

    The decimal mark comes from the sample; pandas reads the whole table once with it. Only
    the columns it leaves as text (labels, grouped numbers, another decimal mark, a few
    non-numbers) are looked at value by value.
    """
    layout = _layout(text, given)
    data_columns = [j for j in range(layout.n_columns) if not (layout.index_column and j == 0)]
    if given.decimal is not None:
        decimal = given.decimal
    else:
        sample = [pd.Series([row[j] for row in layout.sample], dtype=str) for j in data_columns]
        decimal = _decimal_mark([s[~s.str.lower().isin(MISSING)] for s in sample], layout.separator)
    thousands = given.thousands if given.thousands is not None else ("." if decimal == "," else ",")
    if layout.separator == SPACES and thousands == " ":
        thousands = ""
    frame, bad = _read_csv(text, layout, decimal=decimal, na_values=_NA_VALUES,
                           keep_default_na=True)
    blank = frame.isna().all(axis=1)
    kept = frame[~blank]
    columns = []
    numbers: dict[int, pd.Series] = {}
    for j in range(layout.n_columns):
        name = layout.names[j]
        if layout.index_column and j == 0:
            columns.append(ColumnReading(name=name, kind="index"))
            continue
        column = kept[j]
        if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
            present = int(column.notna().sum())
            reading = ColumnReading(name=name, kind="numbers" if present else "empty",
                                    decimal=decimal)
            if pd.api.types.is_integer_dtype(column.dtype) and len(column) >= 3:
                values = column.to_numpy()
                if values[0] in (0, 1) and (values == np.arange(values[0], values[0] + len(values))).all():
                    reading = replace(reading, row_numbers=True)
            ok = frame[j].notna()
        else:
            values = column[column.notna()].astype(str).str.strip()
            reading, ok = _column_reading(name, values, decimal, thousands, given.decimal is not None)
            ok = ok.reindex(frame.index, fill_value=False)
        columns.append(replace(reading, unit=layout.units[j]))
        numbers[j] = ok
    settings = ReadSettings(
        separator=layout.separator, decimal=decimal, thousands=thousands, header=layout.header,
        index_column=layout.index_column, skip_lines=layout.skip_lines, units_row=layout.units_row,
    )
    notes = list(layout.notes)
    if any(c.kind == "numbers" and c.decimal != decimal for c in columns):
        odd = ", ".join(c.name for c in columns if c.kind == "numbers" and c.decimal != decimal)
        notes.append(f"Most numbers use the decimal mark {MARK_NAMES[decimal]}, but {odd} "
                     f"use{'s' if ',' not in odd else ''} the other one; each column is read with its own.")
    reading = Reading(settings=settings, detected=settings, columns=tuple(columns), notes=tuple(notes))
    return reading, layout, frame, bad, blank, numbers


def _analyse_with_detection(text: str, settings: ReadSettings | None):
    given = settings or ReadSettings()
    result = _analyse(text, given)
    if given != ReadSettings():
        try:
            detected = _analyse(text, ReadSettings())[0].settings
        except DataError:
            detected = result[0].settings
        result = (replace(result[0], detected=detected), *result[1:])
    return result


def inspect(source: Source, settings: ReadSettings | None = None) -> Reading:
    """How the file would be read (settings: overrides; None fields are detected).

    Gives the separator, marks, header, index column and each column's reading, before any
    column is chosen. Raises ``DataError`` when the file itself can't be read (too big,
    empty, not text, not a table).
    """
    text, _ = _text(source)
    return _analyse_with_detection(text, settings)[0]


def numeric_columns(source: Source, settings: ReadSettings | None = None) -> list[str]:
    """The names of the columns of numbers in a file, in file order.

    source : bytes, a str path or a path-like, as for ``read_points``. The names are the
    header's (made distinct if repeated) or "column 1", "column 2", ... for a file without a
    header; an index column (row names) is not among them. Pass two of them as
    ``read_points(source, columns=(a, b))``. The list may hold fewer than two names
    (``read_points`` then explains the problem). Raises ``DataError`` when the file itself
    cannot be read (too big, empty, not text, not a table).
    """
    return inspect(source, settings).numeric_names()


# --- choosing the columns ----------------------------------------------------------------------------


def _choose(reading: Reading, columns: Sequence[str | int] | None) -> tuple[int, int]:
    """The indices of the two coordinate columns."""
    names = reading.names
    numeric = [j for j, c in enumerate(reading.columns) if c.numeric]
    n_columns = len(reading.columns) - (1 if reading.settings.index_column else 0)
    if len(numeric) < 2:
        if n_columns == 1 and not numeric:
            raise DataError(
                "The file does not look like a table of numbers. Use a table with two "
                "columns of numbers, one per coordinate, such as x and y (separated by commas, "
                "semicolons, tabs or spaces)."
            )
        if n_columns == 1:
            raise DataError(
                "The file has only one column, but every point needs two coordinates. Add "
                "a second column of numbers, such as x and y."
            )
        found = "no column" if not numeric else "only one column"
        raise DataError(
            f"The file has {found} of numbers, but every point needs two coordinates. Use "
            "a table with two columns of numbers, such as x and y."
        )
    if columns is None:
        default = reading.default_columns()
        assert default is not None
        return names.index(default[0]), names.index(default[1])
    choices = ", ".join(reading.numeric_names())
    if isinstance(columns, (str, bytes)) or not hasattr(columns, "__len__") or len(columns) != 2:
        raise DataError("Name exactly two columns for the points, for example ('x', 'y') or (0, 1).")
    chosen = []
    for column in columns:
        if isinstance(column, (int, np.integer)) and not isinstance(column, bool):
            if not 0 <= column < len(names):
                raise DataError(
                    f"The file has no column number {column} (it has columns 0 to "
                    f"{len(names) - 1}). Choose two of: {choices}."
                )
            j = int(column)
        elif isinstance(column, str):
            if column not in names:
                raise DataError(f"The file has no column named {column!r}. Choose two of: {choices}.")
            j = names.index(column)
        else:
            raise DataError("Name each column by its header or by its number, counting from 0.")
        if not reading.columns[j].numeric:
            raise DataError(
                f"The column {names[j]!r} does not hold numbers. Choose two of: {choices}."
            )
        chosen.append(j)
    if chosen[0] == chosen[1]:
        raise DataError(f"Choose two different columns; both are {names[chosen[0]]!r}.")
    return chosen[0], chosen[1]


# --- reading the whole table ---------------------------------------------------------------------


def _numbers(text: str, layout: _Layout, reading: Reading, table: pd.DataFrame,
             numbers: dict[int, pd.Series], use: list[int]) -> dict[int, np.ndarray]:
    """The columns ``use`` as float64. A column pandas read as numbers is taken as it is;
    a column it left as text is read again by pandas with the column's own decimal mark, a
    cell that is not a number that way (``numbers[j]`` False) read as missing (na_values),
    and counted by the caller.

    A thousands-grouped column is not read with read_csv's ``thousands=``: that path rounds
    the last digit of some 16- and 17-digit numbers (1 in 20,000 even at 15 digits), so its
    cells, every one checked against the grouped pattern, lose their grouping marks and
    pandas' ``to_numeric`` (exact, as read_csv without ``thousands``) converts them.
    """
    result: dict[int, np.ndarray] = {}
    groups: dict[str, list[int]] = {}
    for j in use:
        column = reading.columns[j]
        values = table[j]
        if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
            result[j] = values.to_numpy(dtype=np.float64, na_value=np.nan)
        elif column.thousands:
            stripped = values.astype(str).str.strip()
            plain = stripped.where(numbers[j], "").str.replace(column.thousands, "", regex=False)
            if column.decimal == ",":
                plain = plain.str.replace(",", ".", regex=False)
            converted = pd.to_numeric(plain.mask(plain == ""), errors="coerce")
            result[j] = converted.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            groups.setdefault(column.decimal, []).append(j)
    for decimal, js in groups.items():
        na_values = {}
        for j in js:
            raw = table[j]
            not_numbers = raw[raw.notna().to_numpy() & ~numbers[j].to_numpy()].unique()
            na_values[j] = sorted({str(v) for v in not_numbers} | set(_NA_VALUES))
        # every column, not usecols: only then are rows with too many fields skipped as in
        # the first reading, so that rows match
        others = {j: str for j in range(layout.n_columns) if j not in js}
        frame, _ = _read_csv(
            text, layout, decimal=decimal, na_values=na_values, keep_default_na=True, dtype=others,
        )
        if len(frame) != len(table):
            raise DataError("The file could not be read as a table of numbers. " + SAVE_AS_CSV)
        for j in js:
            column = frame[j]
            if not (pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype)):
                column = pd.to_numeric(column, errors="coerce")  # a slip is counted, never hidden
            result[j] = column.to_numpy(dtype=np.float64, na_value=np.nan)
    return result


def _line_numbers(text: str, layout: _Layout, n_rows: int, bad: list[int]) -> np.ndarray | None:
    """The 1-based file line of each row pandas read, or None when lines and rows don't match
    (a quoted field over several lines)."""
    n_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    start = layout.data_line
    lines = np.arange(start + 1, n_lines + 1)
    if bad:
        lines = lines[~np.isin(lines, bad)]
    return lines if len(lines) == n_rows else None


def _labels(column: pd.Series, name: str, header: bool) -> tuple[np.ndarray | None, str]:
    """The text of a label column as a str array, and a sentence for the description.

    A column with more than MAX_LABEL_CLASSES distinct values (names, ids) is not used as
    labels; label texts are cut to MAX_LABEL_CHARS characters.
    """
    where = f"column {name}" if header else name
    text = column.astype("string").str.strip().fillna("")
    codes, classes = pd.factorize(text.mask(text == "", "(missing)"), sort=False)
    if len(classes) > MAX_LABEL_CLASSES:
        return None, (
            f" {where[0].upper()}{where[1:]} has {len(classes):,} different values, too many "
            "to use as labels."
        )
    short = np.array([str(c)[:MAX_LABEL_CHARS] for c in classes], dtype=str)
    return short[codes], f" Labels from {where}."


def read_table(
    source: Source, columns: Sequence[str | int] | None = None, *, name: str | None = None,
    settings: ReadSettings | None = None,
) -> tuple[Dataset, Reading]:
    """The points of a file, as a Dataset, and the Reading that says how the file was read.

    Arguments as for ``read_points``. ``Reading.dropped`` lists the rows left out, by reason,
    with the file lines of the first few.
    """
    text, file_name = _text(source)
    reading, layout, table, bad, blank, numbers = _analyse_with_detection(text, settings)
    j_x, j_y = _choose(reading, columns)
    labels_from = next(
        (j for j, c in enumerate(reading.columns)
         if c.kind == "text" and j not in (j_x, j_y)), None,
    )
    values = _numbers(text, layout, reading, table, numbers, [j_x, j_y])
    lines = _line_numbers(text, layout, len(table), bad)
    # a row without any value is left out unsaid only when its line is blank; "NA,NA" or
    # ";;" is a row with missing values, dropped and counted
    keep = ~blank.to_numpy()
    if lines is not None:
        text_lines = text.split("\n")
        for i in np.flatnonzero(~keep):
            keep[i] = bool(text_lines[lines[i] - 1].strip())
    x, y = values[j_x][keep], values[j_y][keep]
    kept = table[keep]
    if lines is not None:
        lines = lines[keep]
    missing = (kept[j_x].isna() | kept[j_y].isna()).to_numpy()
    finite = np.isfinite(x) & np.isfinite(y)
    not_number = ~missing & (np.isnan(x) | np.isnan(y))
    non_finite = ~missing & ~not_number & ~finite
    dropped_rows = []
    for reason, mask in (("with a missing value", missing),
                         ("with a value that is not a number", not_number),
                         ("with an infinite or too large value", non_finite)):
        count = int(mask.sum())
        if count:
            where = tuple(int(n) for n in lines[mask][:SHOWN_LINES]) if lines is not None else ()
            dropped_rows.append(DroppedRows(reason, count, where))
    if bad:
        dropped_rows.append(DroppedRows("with more fields than the others", len(bad),
                                        tuple(bad[:SHOWN_LINES])))
    usable = finite
    n_points = int(usable.sum())
    if n_points > MAX_POINTS:
        raise DataError(
            f"The file has {n_points:,} points, more than the {MAX_POINTS:,} Clustering Lab "
            "reads. Use a random sample of the rows."
        )
    if n_points < 2:
        found = "no usable point" if n_points == 0 else "only one usable point"
        raise DataError(
            f"The file has {found}: clustering needs at least 2 rows with a number in both "
            "columns. Check that the columns hold numbers and add more rows."
        )
    dropped = int(len(kept) - n_points + len(bad))

    labels, label_note = None, ""
    if labels_from is not None:
        labels, label_note = _labels(kept[labels_from][usable], reading.names[labels_from],
                                     layout.header)

    x_name, y_name = reading.names[j_x], reading.names[j_y]
    where = f"columns {x_name} and {y_name}" if layout.header else f"{x_name} and {y_name}"
    description = f"Read {n_points:,} points from {where}"
    if dropped:
        rows = "row" if dropped == 1 else "rows"
        reasons = "; ".join(d.describe(short=True) for d in dropped_rows)
        description += f"; dropped {dropped:,} {rows}: {reasons}."
    else:
        description += "."
    description += label_note
    if columns is None and (reading.columns[j_x].row_numbers or reading.columns[j_y].row_numbers):
        description += (" A column that is exactly the row numbers is used, as the file has no "
                        "other second column of numbers.")
    dataset = Dataset(
        X=np.column_stack([x[usable], y[usable]]),
        labels=labels,
        name=name if name is not None else (file_name or "uploaded"),
        description=description,
        columns=(x_name, y_name),
        dropped=dropped,
    )
    return dataset, replace(reading, dropped=tuple(dropped_rows))


def read_points(
    source: Source, columns: Sequence[str | int] | None = None, *, name: str | None = None,
    settings: ReadSettings | None = None,
) -> Dataset:
    """The points of a CSV, TSV or space separated file, as a Dataset.

    source : bytes, a str path or a path-like. Comma, semicolon, tab or space separated UTF-8
        text (with or without a BOM), with or without a header row (a header is a first row
        with no number in the columns of numbers). Detected and read as they are: decimal
        commas, thousands marks (per column: 1.065 is 1065 only in a column all of whose values
        are grouped that way), Excel's "sep=;" line, a first line that is neither header nor
        point (scikit-learn's counts line), a units row under the header, row names (R's
        write.table and write.csv, Rdatasets).
    columns : None (the first two columns of numbers, passing over a column that is exactly
        the row numbers) or two columns, each a header name or a 0-based column number.
    name : the Dataset's name; default the file's name, or "uploaded" for bytes.
    settings : ``ReadSettings`` overriding what is detected (None fields are detected).

    The first non-numeric column with text in it (for example a third column "species")
    becomes ``labels``, a str array. Rows with a missing, non-numeric or non-finite value in
    either coordinate are dropped; ``description`` and ``dropped`` say how many and why
    (``read_table`` also gives the lines).
    Raises ``DataError`` for an empty file, a header without rows, fewer than two columns of
    numbers, fewer than 2 usable points, more than MAX_POINTS points, text that is not a
    table, or a file over MAX_FILE_BYTES (checked before the file is read).
    """
    return read_table(source, columns, name=name, settings=settings)[0]


# --------------------------------------------------------------------------------------
# Coordinates a person types (or a link carries)
# --------------------------------------------------------------------------------------

_MINUS_SIGNS = str.maketrans({"−": "-", "–": "-"})  # a typographic minus or dash typed as a sign
_NUMBER_TOKEN = re.compile(r"[^\s,;]+")


def _typed_number(token: str, hint: str) -> float:
    try:
        value = float(token)
    except ValueError:
        raise ValueError(f"“{token}” is not a number; {hint}") from None
    if not math.isfinite(value):
        raise ValueError(f"“{token}” is not a finite number; type ordinary numbers such as 2.5.")
    return value


def parse_coordinates(text: str | None, dim: int, k: int | None = None, what: str = "point") -> np.ndarray:
    """Typed coordinates as a (k, dim) array, or a ValueError in one plain sentence.

    dim = 1: k numbers separated by commas, semicolons or spaces ("-1, 0.5, 6").
    dim = 2: k pairs "x, y" separated by semicolons ("-1.5, 1.5; 1.5, -1.5").
    A typographic minus (−) counts as a minus sign. ``what`` names the points in the messages
    ("start position", "mean"); with k = None any number of points is accepted.
    """
    cleaned = str(text or "").translate(_MINUS_SIGNS).strip()
    if dim == 1:
        hint = (f"type the {k} {what}s separated by commas, e.g. {', '.join(str(i) for i in range(k))}."
                if k is not None else f"type the {what}s separated by commas.")
        rows = [[_typed_number(token, hint)] for token in _NUMBER_TOKEN.findall(cleaned)]
        layout = "separated by commas"
    else:
        example = "-1.5, 1.5"
        rows = []
        for row in (r.strip() for r in cleaned.split(";")):
            if not row:
                continue
            try:
                pair = [float(part) for part in row.replace(",", " ").split()]
            except ValueError:
                raise ValueError(f"“{row}” is not a pair of numbers like “{example}”.") from None
            if len(pair) != dim or not all(math.isfinite(v) for v in pair):
                raise ValueError(f"“{row}” is not a pair of finite numbers like “{example}”.")
            rows.append(pair)
        layout = "as “x, y” pairs separated by semicolons, e.g. “-1.5, 1.5; 1.5, -1.5”"
    if k is not None and len(rows) != k:
        raise ValueError(f"Type exactly K = {k} {what}{'s' if k != 1 else ''} {layout}; you typed {len(rows)}.")
    return np.array(rows, dtype=float).reshape(len(rows), dim)
