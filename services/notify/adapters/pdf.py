"""The printable form of a notice: a one-page A4 PDF (ReportLab) in the CID font STSong-Light that
every PDF reader has built in (Adobe's Chinese font pack), so no font file ships or is embedded.
ASCII runs (the case number, the verification code) are set in Helvetica so they can be searched
and copied from the PDF like the rest."""

from __future__ import annotations

import io
import re
import threading
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

CJK_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
_registered = threading.Lock()
_ASCII_RUN = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")


def _register() -> None:
    with _registered:
        if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def _markup(line: str) -> str:
    """A line as Paragraph markup: escaped, ASCII runs in the Latin font."""
    out, last = [], 0
    for m in _ASCII_RUN.finditer(line):
        out.append(escape(line[last : m.start()]))
        out.append(f'<font name="{LATIN_FONT}">{escape(m.group())}</font>')
        last = m.end()
    out.append(escape(line[last:]))
    return "".join(out)


def render(*, title: str, case_number: str, verification_code: str, text: str, date: str) -> bytes:
    """The notice as PDF bytes: the title, the case number and verification code, the text (its
    first line, the title, not repeated), the date."""
    _register()
    title_style = ParagraphStyle("title", fontName=CJK_FONT, fontSize=20, leading=28, alignment=1)
    meta_style = ParagraphStyle("meta", fontName=CJK_FONT, fontSize=10, leading=14, alignment=2)
    body_style = ParagraphStyle("body", fontName=CJK_FONT, fontSize=12, leading=20, wordWrap="CJK")
    date_style = ParagraphStyle("date", parent=body_style, alignment=2)

    lines = text.splitlines()
    if lines and lines[0].strip() == title.strip():
        lines = lines[1:]
    story = [
        Paragraph(_markup(title), title_style),
        Spacer(1, 4 * mm),
        Paragraph(_markup(f"办件编号：{case_number}"), meta_style),
        Paragraph(_markup(f"验证码：{verification_code}"), meta_style),
        Spacer(1, 8 * mm),
    ]
    for line in lines:
        story.append(Paragraph(_markup(line), body_style) if line.strip() else Spacer(1, 4 * mm))
    if not lines or lines[-1].strip() != date:  # a county's template may end without the date
        story += [Spacer(1, 10 * mm), Paragraph(_markup(date), date_style)]

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=25 * mm,
        bottomMargin=25 * mm,
        title=title,
        subject=f"{case_number} {verification_code}",
        author="Bianmin",
        creator="Bianmin",
    )
    doc.build(story)
    return buffer.getvalue()
