"""Printable documents (A4 PDF, ReportLab) that read the same on every machine: their CJK fonts
are embedded (TrueType subsets), none is left to the reader. Shared by notify's notices
(services/notify/adapters/pdf.py) and proxy's trip manifests and implementation cards
(services/proxy/adapters/pdf.py); each keeps its own layout and uses these mechanics.

The fonts (`BIANMIN_NOTICE_FONT`, else Debian's packages, installed by `make venv` and the image):
AR PL UMing (fonts-arphic-uming, a Song/Ming face fit for an official document) sets the text;
each character it lacks is set in the first fallback that has it (fonts-hanazono's HanaMinA and
HanaMinB: CJK extensions A and B, e.g. 𠮷 U+20BB7); a character no font has is printed as its
code point, 〔U+XXXX〕, never dropped."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Sequence
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
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from libs.common.errors import Unavailable
from libs.common.settings import Settings

# Debian's paths (fonts-arphic-uming, fonts-hanazono): the text font first, then the fallbacks
DEFAULT_FONTS = (
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",
    "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
)
MISSING_FONT = (
    "printed documents need a CJK TrueType font: install Debian's fonts-arphic-uming (and"
    " fonts-hanazono for rare characters), or set BIANMIN_NOTICE_FONT to TrueType font files"
)
RED = colors.HexColor("#c00000")
PAGE_WIDTH, PAGE_HEIGHT = A4


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
    """The fonts of the environment's setting (`BIANMIN_NOTICE_FONT`)."""
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


@dataclass(frozen=True)
class Typesetter:
    """Paragraph styles and paragraphs in the embedded fonts (CJK line breaking)."""

    fonts: Fonts

    def style(self, name: str, size: float, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(
            name,
            **{"fontName": self.fonts.text, "fontSize": size, "leading": size * 1.6, "wordWrap": "CJK", **kw},
        )

    def para(self, line: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(markup(line, self.fonts), style)

    def table(
        self,
        rows: Sequence[Sequence[Any]],
        *,
        grid: bool,
        widths: Sequence[float] | None = None,
        heights: Sequence[float | None] | None = None,
        header: bool = False,
        repeat_header: bool = False,
    ) -> Table:
        """A table whose cells start in the text font (else Helvetica, a font the PDF would not
        carry); `header` shades the first row, `repeat_header` repeats it on each page."""
        table = Table(
            [list(r) for r in rows],
            colWidths=list(widths) if widths else None,
            rowHeights=list(heights) if heights else None,
            hAlign="LEFT",
            repeatRows=1 if repeat_header else 0,
        )
        commands: list[Any] = [
            ("FONT", (0, 0), (-1, -1), self.fonts.text),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ]
        if grid:
            commands.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
        if header:
            commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")))
        table.setStyle(TableStyle(commands))
        return table


def typesetter() -> Typesetter:
    return Typesetter(fonts())


def build(
    story: list[Flowable],
    typeset: Typesetter,
    *,
    title: str,
    subject: str = "",
    author: str = "",
    margins_mm: tuple[float, float, float, float] = (18, 22, 15, 22),  # top, right, bottom, left
) -> bytes:
    """The story as an A4 PDF's bytes, its fonts embedded."""
    top, right, bottom, left = (m * mm for m in margins_mm)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=left,
        rightMargin=right,
        topMargin=top,
        bottomMargin=bottom,
        title=title,
        subject=subject,
        author=author or "Bianmin",
        creator="Bianmin",
        initialFontName=typeset.fonts.text,  # else the page starts in Helvetica, which the PDF lacks
    )
    doc.build(story)
    return buffer.getvalue()
