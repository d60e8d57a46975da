"""Reading a person's own points from a CSV or TSV file.

``read_points(source, columns=None)`` turns comma, semicolon or tab separated text into a
``Dataset``; ``numeric_columns(source)`` lists the columns of numbers a file holds, so a page
can let the person choose two of them. Every problem with a file raises ``DataError``, whose
text is one or two plain sentences: what is wrong, and what to do about it.

The file's text is data: header names are shown, never interpreted (no eval, no pickle).
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

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

DELIMITERS = ("\t", ";", ",")  # in order of preference (see _fitting_delimiters)
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "?", "#n/a", "missing"})
Source = bytes | bytearray | memoryview | str | os.PathLike  # what read_points accepts
SAVE_AS_CSV = "Save the data as a CSV file (comma, semicolon or tab separated, UTF-8) and upload it again."


class DataError(ValueError):
    """A problem with a person's file; str() is one or two plain sentences saying what to do."""


@dataclass(frozen=True)
class _Table:
    """What the sample of a file says about its layout."""

    text: str
    delimiter: str
    n_columns: int
    has_header: bool
    names: tuple[str, ...]
    numeric: tuple[bool, ...]
    decimal_comma: bool
    label_candidates: tuple[int, ...]  # non-numeric columns holding some text


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


# --- the layout: delimiter, header, kinds of columns -----------------------------------------------


def _cells(lines: list[str], delimiter: str) -> list[list[str]]:
    reader = csv.reader(lines, delimiter=delimiter, skipinitialspace=True)
    return [[cell.strip() for cell in row] for row in reader]


def _fitting_delimiters(lines: list[str]) -> list[tuple[str, int]]:
    """The delimiters that fit the sample, each with its number of columns.

    A delimiter fits when at least 80 % of the sample's rows below the first split into the
    same number (>= 2) of fields (the first row, perhaps a header, may differ). The list is in
    order of preference (tab, semicolon, comma): in "1,5;2,3" the comma is a decimal comma.
    """
    body = lines[1:] or lines
    fitting = []
    for delimiter in DELIMITERS:
        counts = Counter(len(row) for row in _cells(body, delimiter))
        n_columns, rows = counts.most_common(1)[0]
        if n_columns >= 2 and rows >= 0.8 * len(body):
            fitting.append((delimiter, n_columns))
    return fitting


_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+(?:[eE][+-]?\d+)?")


def _number_kind(cell: str, decimal_comma_allowed: bool) -> str:
    """'missing', 'number', 'comma' (a number with a decimal comma) or 'text'."""
    if cell.lower() in MISSING:
        return "missing"
    if "_" not in cell:
        try:
            float(cell)
            return "number"
        except ValueError:
            pass
    if decimal_comma_allowed and _DECIMAL_COMMA.fullmatch(cell):
        return "comma"
    return "text"


def _numeric_flags(kinds: list[list[str]], n_columns: int) -> list[bool]:
    """A column holds numbers when at least half of its non-missing cells are numbers."""
    flags = []
    for j in range(n_columns):
        column = Counter(row[j] for row in kinds)
        numbers = column["number"] + column["comma"]
        flags.append(numbers > 0 and numbers >= column["text"])
    return flags


def _layout(text: str, lines: list[str], delimiter: str, n_columns: int) -> _Table:
    """Header and kinds of columns of the sample, split by one delimiter."""
    cells = _cells(lines, delimiter)
    # The first row may be a header of another length (a trailing delimiter in the data rows,
    # a title line): pad or cut it; of the other rows, keep those of the usual length.
    first_row = (cells[0] + [""] * n_columns)[:n_columns]
    rows = [first_row] + [row for row in cells[1:] if len(row) == n_columns]
    comma_ok = delimiter != ","
    kinds = [[_number_kind(cell, comma_ok) for cell in row] for row in rows]
    first = kinds[0]
    if len(kinds) == 1:
        # One row: a header without data if it holds text and no number, else one point.
        has_header = "text" in first and "number" not in first and "comma" not in first
        numeric = _numeric_flags(kinds, n_columns)
    else:
        # A header: the first row holds no number in the columns that hold numbers below it.
        numeric = _numeric_flags(kinds[1:], n_columns)
        in_numeric = [first[j] for j in range(n_columns) if numeric[j]]
        has_header = "text" in in_numeric and "number" not in in_numeric and "comma" not in in_numeric
        if not has_header:
            numeric = _numeric_flags(kinds, n_columns)
    if has_header:
        names = _unique_names([cell or f"column {j + 1}" for j, cell in enumerate(rows[0])])
    else:
        names = tuple(f"column {j + 1}" for j in range(n_columns))
    data_kinds = kinds[1:] if has_header else kinds
    decimal_comma = comma_ok and any(kind == "comma" for row in data_kinds for kind in row)
    label_candidates = tuple(
        j for j in range(n_columns)
        if not numeric[j] and any(row[j] == "text" for row in data_kinds)
    )
    return _Table(
        text=text, delimiter=delimiter, n_columns=n_columns, has_header=has_header,
        names=names, numeric=tuple(numeric), decimal_comma=decimal_comma,
        label_candidates=label_candidates,
    )


def _inspect(text: str) -> _Table:
    """Delimiter, header and the kind of each column, from the first lines of the text.

    Of the delimiters that fit, the one giving the most columns of numbers wins (ties go to
    the preferred one), so "1,2,a;b" is comma separated and "1,5;2,3" semicolon separated.
    """
    sample = text[:IO_SAMPLE_CHARS]
    lines = sample.splitlines()
    if len(text) > IO_SAMPLE_CHARS and len(lines) > 1:
        lines = lines[:-1]  # the last line of the sample may be cut short
    lines = [line for line in lines if line.strip()][:IO_SAMPLE_ROWS]
    if not lines:
        raise DataError("The file is empty. Choose a file with one point per row.")
    fitting = _fitting_delimiters(lines)
    if not fitting:
        if all(len(row) == 1 for row in _cells(lines, ",")):
            return _layout(text, lines, ",", 1)
        raise DataError(
            "The file does not look like a table: its lines do not split into the same number "
            "of columns. " + SAVE_AS_CSV
        )
    layouts = [_layout(text, lines, delimiter, n) for delimiter, n in fitting]
    table = max(layouts, key=lambda layout: sum(layout.numeric))  # max keeps the first of ties
    if table.has_header and len(lines) == 1:
        raise DataError(
            "The file has a header row but no rows of data. Add one point per row below the header."
        )
    return table


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


def _load(source: Source) -> tuple[_Table, str | None]:
    data, file_name = _source_bytes(source)
    text = _decode(data)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"\A(?:[ \t]*\n)+", "", text)  # leading blank lines
    try:
        return _inspect(text), file_name
    except csv.Error as exc:  # e.g. a field longer than the csv module's limit
        raise DataError("The file does not look like a table. " + SAVE_AS_CSV) from exc


# --- choosing the columns ----------------------------------------------------------------------------


def _numeric_names(table: _Table) -> list[str]:
    return [name for name, numeric in zip(table.names, table.numeric, strict=True) if numeric]


def _choose(table: _Table, columns: Sequence[str | int] | None) -> tuple[int, int]:
    """The indices of the two coordinate columns."""
    numeric = [j for j in range(table.n_columns) if table.numeric[j]]
    if len(numeric) < 2:
        if table.n_columns == 1 and not numeric:
            raise DataError(
                "The file does not look like a table of numbers. Use a table with two "
                "columns of numbers, one per coordinate, such as x and y."
            )
        if table.n_columns == 1:
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
        return numeric[0], numeric[1]
    choices = ", ".join(_numeric_names(table))
    if isinstance(columns, (str, bytes)) or not hasattr(columns, "__len__") or len(columns) != 2:
        raise DataError("Name exactly two columns for the points, for example ('x', 'y') or (0, 1).")
    chosen = []
    for column in columns:
        if isinstance(column, (int, np.integer)) and not isinstance(column, bool):
            if not 0 <= column < table.n_columns:
                raise DataError(
                    f"The file has no column number {column} (it has columns 0 to "
                    f"{table.n_columns - 1}). Choose two of: {choices}."
                )
            j = int(column)
        elif isinstance(column, str):
            if column not in table.names:
                raise DataError(f"The file has no column named {column!r}. Choose two of: {choices}.")
            j = table.names.index(column)
        else:
            raise DataError("Name each column by its header or by its number, counting from 0.")
        if not table.numeric[j]:
            raise DataError(
                f"The column {table.names[j]!r} does not hold numbers. Choose two of: {choices}."
            )
        chosen.append(j)
    if chosen[0] == chosen[1]:
        raise DataError(f"Choose two different columns; both are {table.names[chosen[0]]!r}.")
    return chosen[0], chosen[1]


# --- reading the whole table ---------------------------------------------------------------------


def _to_numbers(column: pd.Series, decimal_comma: bool) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
        return column.to_numpy(dtype=np.float64, na_value=np.nan)
    strings = column.astype("string")  # to_numeric itself ignores surrounding spaces
    if decimal_comma:
        strings = strings.str.replace(",", ".", regex=False)
    return pd.to_numeric(strings, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _parse(table: _Table, use: list[int]) -> pd.DataFrame:
    """The columns `use` of the whole table; pandas' own messages never reach the person."""
    label_columns = [j for j in use if not table.numeric[j]]
    try:
        return pd.read_csv(
            io.StringIO(table.text),
            sep=table.delimiter,
            header=None,
            names=list(range(table.n_columns)),
            usecols=use,
            skiprows=1 if table.has_header else 0,
            dtype={j: str for j in label_columns},
            decimal="," if table.decimal_comma else ".",
            skipinitialspace=True,
            skip_blank_lines=True,
            on_bad_lines="skip",
            engine="c",
            quotechar='"',
        )
    except Exception as exc:  # any pandas or numpy failure becomes a plain message
        raise DataError("The file could not be read as a table of numbers. " + SAVE_AS_CSV) from exc


def _labels(column: pd.Series, table: _Table, j: int) -> tuple[np.ndarray | None, str]:
    """The text of a label column as a str array, and a sentence for the description.

    A column with more than MAX_LABEL_CLASSES distinct values (names, ids) is not used as
    labels; label texts are cut to MAX_LABEL_CHARS characters.
    """
    where = f"column {table.names[j]}" if table.has_header else table.names[j]
    text = column.astype("string").str.strip().fillna("")
    codes, classes = pd.factorize(text.mask(text == "", "(missing)"), sort=False)
    if len(classes) > MAX_LABEL_CLASSES:
        return None, (
            f" {where[0].upper()}{where[1:]} has {len(classes):,} different values, too many "
            "to use as labels."
        )
    short = np.array([str(c)[:MAX_LABEL_CHARS] for c in classes], dtype=str)
    return short[codes], f" Labels from {where}."


def numeric_columns(source: Source) -> list[str]:
    """The names of the columns of numbers in a file, in file order.

    source : bytes, a str path or a path-like, as for ``read_points``. The names are the
    header's (made distinct if repeated) or "column 1", "column 2", ... for a file without a
    header; pass two of them as ``read_points(source, columns=(a, b))``. The list may hold
    fewer than two names (``read_points`` then explains the problem). Raises ``DataError``
    when the file itself cannot be read (too big, empty, not text, not a table).
    """
    table, _ = _load(source)
    return _numeric_names(table)


def read_points(
    source: Source, columns: Sequence[str | int] | None = None, *, name: str | None = None,
) -> Dataset:
    """The points of a CSV or TSV file, as a Dataset.

    source : bytes, a str path or a path-like. Comma, semicolon or tab separated UTF-8 text
        (with or without a BOM), with or without a header row (a header is a first row with
        no number in the columns of numbers).
    columns : None (the first two columns of numbers) or two columns, each a header name or
        a 0-based column number.
    name : the Dataset's name; default the file's name, or "uploaded" for bytes.

    The first non-numeric column with text in it (for example a third column "species")
    becomes ``labels``, a str array. Rows with a missing, non-numeric or non-finite value in
    either coordinate are dropped; ``description`` and ``dropped`` say how many.
    Raises ``DataError`` for an empty file, a header without rows, fewer than two columns of
    numbers, fewer than 2 usable points, more than MAX_POINTS points, text that is not a
    table, or a file over MAX_FILE_BYTES (checked before the file is read).
    """
    table, file_name = _load(source)
    j_x, j_y = _choose(table, columns)
    labels_from = next((j for j in table.label_candidates if j not in (j_x, j_y)), None)
    use = sorted({j_x, j_y} | ({labels_from} if labels_from is not None else set()))
    frame = _parse(table, use)

    x = _to_numbers(frame[j_x], table.decimal_comma)
    y = _to_numbers(frame[j_y], table.decimal_comma)
    usable = np.isfinite(x) & np.isfinite(y)
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
    dropped = len(frame) - n_points  # rows below the header, blank lines not counted

    labels, label_note = None, ""
    if labels_from is not None:
        labels, label_note = _labels(frame[labels_from][usable], table, labels_from)

    x_name, y_name = table.names[j_x], table.names[j_y]
    where = f"columns {x_name} and {y_name}" if table.has_header else f"{x_name} and {y_name}"
    description = f"Read {n_points:,} points from {where}"
    if dropped:
        rows = "row" if dropped == 1 else "rows"
        description += f"; dropped {dropped:,} {rows} with missing or non-numeric values."
    else:
        description += "."
    description += label_note
    return Dataset(
        X=np.column_stack([x[usable], y[usable]]),
        labels=labels,
        name=name if name is not None else (file_name or "uploaded"),
        description=description,
        columns=(x_name, y_name),
        dropped=dropped,
    )


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
