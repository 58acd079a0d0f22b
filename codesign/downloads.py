"""Files people download: CSV that spreadsheets open safely, JSON, with a download name."""
from __future__ import annotations

import csv
import io

from flask import make_response

# Spreadsheets run cells that start like a formula; a leading apostrophe keeps them text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = " ".join(str(item) for item in value)
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def download(body: str | bytes, mimetype: str, filename: str):
    response = make_response(body)
    response.mimetype = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_download(header: list[str], rows, filename: str):
    """A CSV file (UTF-8 with a byte-order mark, so spreadsheets read the accents right)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return download(buffer.getvalue(), "text/csv", filename)
