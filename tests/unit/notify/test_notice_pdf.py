"""The printed notice reads the same on every machine: every font of every kind of notice is
embedded (a TrueType subset, FontFile2), nothing is left to the reader's fonts; the applicant's own
copy names them in full; a rare character (𠮷, CJK Ext-B) survives — set in the fallback font, or
printed as its code point where no font has it, never dropped; a missing font is a clear error
naming what to install. The layout carries what a centre stamps: centre, 文号, case number,
verification code, window and phone, date, seal area, receipt stub."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest

from libs.common import pdf as shared
from libs.common.errors import Unavailable
from services.notify.adapters import pdf
from services.notify.domain import notices as n
from tests.unit.notify.test_notice_templates import CODE, TITLES, render

pytestmark = pytest.mark.skipif(
    not all(Path(f).is_file() for f in shared.DEFAULT_FONTS),
    reason="fonts-arphic-uming and fonts-hanazono are not installed (make venv installs them as root)",
)
FULL_NAME = "吉田𠮷"


def printed(kind: str) -> bytes:
    return pdf.render(
        title=TITLES[kind],
        case_number="NP-20261122-0007",
        verification_code=CODE,
        text=render(kind).replace("张**", FULL_NAME),
        date="2026年11月22日",
        centre="那坡镇便民服务中心",
        document_number=n.document_number("那坡镇", kind, 2026, 17),
        applicant=FULL_NAME,
        window="民政窗口",
        phone="0776-6821234",
    )


def fonts_of(document: bytes) -> dict[str, pypdf.generic.DictionaryObject]:
    fonts = {}
    for page in pypdf.PdfReader(io.BytesIO(document)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    return fonts


def text_of(document: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(document)).pages)


@pytest.mark.parametrize("kind", n.KINDS)
def test_every_font_of_every_notice_is_embedded(kind: str) -> None:
    fonts = fonts_of(printed(kind))
    assert fonts
    for name, font in fonts.items():
        assert font["/Subtype"] == "/TrueType", name
        assert "/FontFile2" in font["/FontDescriptor"], f"{name} is not embedded"


@pytest.mark.parametrize("kind", n.KINDS)
def test_the_notice_carries_what_a_centre_stamps_and_the_applicant_in_full(kind: str) -> None:
    text = text_of(printed(kind))
    for element in [
        "那坡镇便民服务中心",
        f"那坡镇便民{n.DOCUMENT_WORDS[kind]}〔2026〕17号",
        TITLES[kind],
        "NP-20261122-0007",
        CODE,
        "民政窗口",
        "0776-6821234",
        "2026年11月22日",
        "盖章处",
        "回",  # the receipt stub: 回　执, with whom it was handed to and who signed
        "受送达人",
        "签收人",
    ]:
        assert element in text, element
    assert text.count(FULL_NAME) == 2  # the greeting and the stub: the applicant's own copy, in full
    assert "张**" not in text and "〔U+" not in text


def test_a_character_no_font_has_is_printed_as_its_code_point() -> None:
    only_the_text_font = shared.load_fonts(shared.DEFAULT_FONTS[0])
    assert shared.markup("吉田𠮷", only_the_text_font) == "吉田〔U+20BB7〕"
    assert shared.markup("a<b", only_the_text_font) == "a&lt;b"


def test_fonts_that_are_missing_say_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(Unavailable, match="BIANMIN_NOTICE_FONT names no font file"):
        shared.font_paths(str(tmp_path / "none.ttf"))
    monkeypatch.setattr(shared, "DEFAULT_FONTS", (str(tmp_path / "uming.ttc"),))
    with pytest.raises(Unavailable, match="fonts-arphic-uming"):
        shared.font_paths("")
    not_a_font = tmp_path / "font.ttf"
    not_a_font.write_bytes(b"not a font")
    with pytest.raises(Unavailable, match="not a TrueType font"):
        shared.load_fonts(str(not_a_font))
