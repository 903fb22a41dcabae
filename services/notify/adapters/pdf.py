"""The printable form of a notice: an A4 PDF (ReportLab) whose fonts are embedded — the shared
mechanics (fonts, fallbacks, markup, tables, building) are libs/common/pdf.py; this is the
notice's layout.

The layout is a document a centre can stamp: the issuing centre over a red rule, the document
number (文号), the title, the case number, verification code, window and phone, the text, the
centre and date with a seal area (盖章处), and below a cut line the receipt stub (回执) the
applicant signs when it is handed over, which the centre keeps."""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, HRFlowable, KeepTogether, Paragraph, Spacer

from libs.common import pdf
from libs.common.pdf import RED

SEAL_DIAMETER = 40 * mm


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
    t = pdf.typesetter()
    style, para = t.style, t.para

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
    story += [t.table(meta, grid=False), Spacer(1, 4 * mm)]
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
        KeepTogether(_stub(title, document_number, case_number, applicant, t)),
    ]

    return pdf.build(
        story,
        t,
        title=title,
        subject=f"{case_number} {verification_code}",
        author=centre,
        margins_mm=(18, 22, 15, 22),
    )


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


def _stub(title: str, document_number: str, case_number: str, applicant: str, t: pdf.Typesetter) -> list[Any]:
    """The receipt stub (回执): cut off at the dashed line, signed by whoever takes the notice,
    kept by the centre as the proof it was handed over."""
    style, para = t.style, t.para
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
        t.table(rows, grid=True, widths=[w * width for w in (0.18, 0.37, 0.15, 0.30)]),
    ]
