"""Excel workbooks the platform hands out (the catalogue export, the appraisal table): named
sheets, each a bold, frozen header row and its rows. openpyxl is imported when one is made."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def xlsx(sheets: Mapping[str, tuple[Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """An .xlsx of `sheets` (title → (header, rows)), in their order."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, (header, rows) in sheets.items():
        sheet = book.create_sheet(title)
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
