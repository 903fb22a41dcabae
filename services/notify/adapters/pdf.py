"""The printable form of a notice: an A4 PDF (ReportLab) that reads the same on every machine —
its fonts are embedded (TrueType subsets), none is left to the reader.

The fonts (`BIANMIN_NOTICE_FONT`, else Debian's packages, installed by `make venv` and the image):
AR PL UMing (fonts-arphic-uming, a Song/Ming face fit for an official document) sets the text;
each character it lacks is set in the first fallback that has it (fonts-hanazono's HanaMinA and
HanaMinB: CJK extensions A and B, e.g. 𠮷 U+20BB7); a character no font has is printed as its
code point, 〔U+XXXX〕, never dropped.

The layout is a document a centre can stamp: the issuing centre over a red rule, the document
number (文号), the title, the case number, verification code, window and phone, the text, the
centre and date with a seal area (盖章处), and below a cut line the receipt stub (回执) the
applicant signs when it is handed over, which the centre keeps."""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from libs.common.errors import Unavailable
from libs.common.settings import Settings

# Debian's paths (fonts-arphic-uming, fonts-hanazono): the text font first, then the fallbacks
DEFAULT_FONTS = (
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",
    "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
)
MISSING_FONT = (
    "printed notices need a CJK TrueType font: install Debian's fonts-arphic-uming (and"
    " fonts-hanazono for rare characters), or set BIANMIN_NOTICE_FONT to TrueType font files"
)
RED = colors.HexColor("#c00000")
SEAL_DIAMETER = 40 * mm


def _surrogate_safe(make_cmap: Any) -> Any:
    """ReportLab writes a character beyond U+FFFF into the ToUnicode map as its bare code point
    (`<20BB7>`, not PDF's UTF-16): the glyph shows, but the text cannot be copied or searched.
    Rewrite those entries as UTF-16BE surrogate pairs."""

    def utf16(match: re.Match[str]) -> str:
        return f"<{match.group(1)}> <{chr(int(match.group(2), 16)).encode('utf-16-be').hex().upper()}>"

    def make(fontname: str, subset: Any) -> str:
        return re.sub(r"<([0-9A-F]{2})> <([0-9A-F]{5,6})>", utf16, make_cmap(fontname, subset))

    return make


if not getattr(ttfonts.makeToUnicodeCMap, "surrogate_safe", False):
    ttfonts.makeToUnicodeCMap = _surrogate_safe(ttfonts.makeToUnicodeCMap)
    ttfonts.makeToUnicodeCMap.surrogate_safe = True  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Fonts:
    """The registered fonts, the text font first, with the characters each has."""

    names: tuple[str, ...]
    covers: tuple[frozenset[int], ...]

    @property
    def text(self) -> str:
        return self.names[0]

    def of(self, char: str) -> str | None:
        """The first font that has `char` (None: none has it)."""
        code = ord(char)
        return next((name for name, has in zip(self.names, self.covers, strict=True) if code in has), None)


def font_paths(setting: str) -> list[Path]:
    """The font files to use: the setting's (each must exist), else the defaults installed."""
    if setting.strip():
        paths = [Path(p) for p in setting.split(os.pathsep) if p.strip()]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise Unavailable(f"BIANMIN_NOTICE_FONT names no font file at {', '.join(missing)}")
        return paths
    paths = [Path(p) for p in DEFAULT_FONTS if Path(p).is_file()]
    if not paths or paths[0] != Path(DEFAULT_FONTS[0]):
        raise Unavailable(MISSING_FONT)
    return paths


@lru_cache(maxsize=4)
def load_fonts(setting: str) -> Fonts:
    """Register the fonts of `setting` (once per process: parsing a CJK font takes a while)."""
    names, covers = [], []
    for i, path in enumerate(font_paths(setting)):
        name = f"notice-{i}-{path.stem}"
        if name not in pdfmetrics.getRegisteredFontNames():
            try:
                pdfmetrics.registerFont(ttfonts.TTFont(name, str(path), subfontIndex=0))
            except ttfonts.TTFError as exc:  # a CFF (OpenType) font, or no font at all
                raise Unavailable(f"{path} is not a TrueType font ReportLab can embed: {exc}") from exc
        names.append(name)
        covers.append(frozenset(pdfmetrics.getFont(name).face.charToGlyph))
    return Fonts(tuple(names), tuple(covers))


def fonts() -> Fonts:
    return load_fonts(Settings().notice_font)  # type: ignore[call-arg]  # pydantic-settings reads the environment


def markup(line: str, fonts: Fonts) -> str:
    """A line as Paragraph markup: escaped, each run of characters in the font that has them."""
    runs: list[tuple[str, str]] = []  # (font, text)
    for char in line:
        font = fonts.text if char.isspace() else fonts.of(char)
        if font is None:
            font, char = fonts.text, f"〔U+{ord(char):04X}〕"
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + char)
        else:
            runs.append((font, char))
    return "".join(
        escape(text) if font == fonts.text else f'<font name="{font}">{escape(text)}</font>'
        for font, text in runs
    )


class _Signature(Flowable):
    """The issuing centre and the date, right-aligned, over the seal area (盖章处): a dashed
    circle where the centre's seal goes, as a seal overlaps the date it certifies."""

    def __init__(self, lines: list[Paragraph], label: Paragraph) -> None:
        super().__init__()
        self.lines, self.label = lines, label

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, SEAL_DIAMETER + 4 * mm

    def draw(self) -> None:
        canvas, centre_x = self.canv, self.width - SEAL_DIAMETER / 2 - 4 * mm
        canvas.saveState()
        canvas.setStrokeColor(colors.grey)
        canvas.setDash(3, 2)
        canvas.circle(centre_x, SEAL_DIAMETER / 2 + 2 * mm, SEAL_DIAMETER / 2)
        canvas.restoreState()
        self.label.wrap(SEAL_DIAMETER, SEAL_DIAMETER)
        self.label.drawOn(canvas, centre_x - SEAL_DIAMETER / 2, SEAL_DIAMETER - 4 * mm)
        box, y = SEAL_DIAMETER + 30 * mm, SEAL_DIAMETER / 2 + 3 * mm
        for line in self.lines:  # the centre, then the date, centred on the seal
            _, h = line.wrap(box, SEAL_DIAMETER)
            line.drawOn(canvas, centre_x - box / 2, y)
            y -= h + 1 * mm


def render(
    *,
    title: str,
    case_number: str,
    verification_code: str,
    text: str,
    date: str,
    centre: str = "",
    document_number: str = "",
    applicant: str = "",
    window: str = "",
    phone: str = "",
) -> bytes:
    """The notice as PDF bytes. `text` is the template's text: its title line and its footer
    lines (case number, verification code, centre, date) are printed in their own places, so
    they are left out of the body."""
    f = fonts()

    def style(name: str, size: float, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(
            name, **{"fontName": f.text, "fontSize": size, "leading": size * 1.6, "wordWrap": "CJK", **kw}
        )

    def para(line: str, st: ParagraphStyle) -> Paragraph:
        return Paragraph(markup(line, f), st)

    header = style("header", 22, alignment=1, textColor=RED, leading=30)
    centred, body, small = style("centred", 11, alignment=1), style("body", 12), style("small", 9)
    title_style = style("title", 20, alignment=1, leading=30, spaceBefore=4 * mm, spaceAfter=4 * mm)
    signature = style("signature", 12, alignment=1)
    seal_label = style("seal", 9, alignment=1, textColor=colors.grey)

    story: list[Flowable] = []
    if centre:
        story.append(para(centre, header))
    if document_number:
        story.append(para(document_number, centred))
    story += [
        HRFlowable(width="100%", thickness=1.5, color=RED, spaceBefore=2 * mm),
        para(title, title_style),
    ]
    meta = [
        [para(f"办件编号：{case_number}", small), para(f"验证码：{verification_code}", small)],
        [
            para(f"办理窗口：{window or '＿＿＿＿'}", small),
            para(f"咨询电话：{phone or '＿＿＿＿＿＿'}", small),
        ],
    ]
    story += [_table(meta, f.text, grid=False), Spacer(1, 4 * mm)]
    for line in _body(text, title, case_number, verification_code, centre, date):
        story.append(para(line, body) if line.strip() else Spacer(1, 3 * mm))
    story += [
        Spacer(1, 6 * mm),
        KeepTogether(
            [
                _Signature(
                    [para(centre, signature), para(date, signature)] if centre else [para(date, signature)],
                    para("（盖章处）", seal_label),
                ),  # fmt: skip
                para(f"凭办件编号和验证码可向本中心查验本通知书真伪。验证码：{verification_code}", small),
            ]
        ),
        Spacer(1, 8 * mm),
        KeepTogether(_stub(title, document_number, case_number, applicant, para, style, f.text)),
    ]

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=18 * mm,
        bottomMargin=15 * mm,
        title=title,
        subject=f"{case_number} {verification_code}",
        author=centre or "Bianmin",
        creator="Bianmin",
        initialFontName=f.text,  # else the page starts in Helvetica, a font the PDF would not carry
    )
    doc.build(story)
    return buffer.getvalue()


def _body(text: str, title: str, *printed: str) -> list[str]:
    """The template's lines without its title, the footer lines printed elsewhere and the blank
    lines at either end."""
    lines = text.splitlines()
    if lines and lines[0].strip() == title.strip():
        lines = lines[1:]
    footer = {p for p in printed if p} | {f"{p}便民服务中心" for p in printed if p}
    lines = [
        line
        for line in lines
        if line.strip() not in footer and not line.strip().startswith(("办件编号：", "验证码："))
    ]
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return lines


def _table(rows: list[list[Any]], font: str, *, grid: bool, widths: list[float] | None = None) -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    commands: list[Any] = [
        ("FONT", (0, 0), (-1, -1), font),  # a cell starts in Helvetica, a font the PDF would not carry
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
    ]
    if grid:
        commands.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
    table.setStyle(TableStyle(commands))
    return table


def _stub(
    title: str, document_number: str, case_number: str, applicant: str, para: Any, style: Any, font: str
) -> list[Any]:
    """The receipt stub (回执): cut off at the dashed line, signed by whoever takes the notice,
    kept by the centre as the proof it was handed over."""
    cell, cut = style("cell", 10), style("cut", 8, alignment=1, textColor=colors.grey)
    heading = style("stub", 14, alignment=1, leading=20, spaceAfter=2 * mm)
    width = A4[0] - 44 * mm
    rows = [
        [para("文书名称", cell), para(title, cell), para("文号", cell), para(document_number, cell)],
        [para("办件编号", cell), para(case_number, cell), para("受送达人", cell), para(applicant, cell)],
        [
            para("签收人（签名）", cell),
            para("", cell),
            para("签收日期", cell),
            para("＿＿＿＿年＿＿月＿＿日", cell),
        ],
        [para("送达人", cell), para("", cell), para("送达方式", cell), para("窗口直接送达", cell)],
    ]
    return [
        HRFlowable(width="100%", thickness=0.7, color=colors.grey, dash=(4, 3)),
        para("（沿此线裁开，回执由本中心存档）", cut),
        para("回　执", heading),
        _table(rows, font, grid=True, widths=[w * width for w in (0.18, 0.37, 0.15, 0.30)]),
    ]
