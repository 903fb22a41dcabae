"""Proxy's printed forms (A4 PDF, the fonts embedded by libs/common/pdf.py):

- the **trip manifest** (代办员送件清单): one page per trip — the township, the trip day, the
  carrier and where it goes, then each delegation it carries (case number, item, applicant
  masked, village) with a column for the receiver to tick, and signature lines for the carrier
  and the receiver (seed 002 篇1 "每周日、周三到乡便民服务中心集中办理");
- the **implementation card** (代办事项落实卡, seed 002 篇6 "代办事项落实卡"): what was asked and
  how it went (the steps, the outcome, the statutory fee — the proxying itself is free, 无偿代办),
  then boxes for the applicant's satisfaction, signature or thumbprint (签名或按手印), date and
  witness, and the agent's signature. The applicant is named in full only on the copy printed
  for the delegation's own agent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, HRFlowable, KeepTogether, PageBreak, Spacer

from libs.common import pdf
from libs.common.pdf import PAGE_WIDTH, RED
from libs.common.pii import mask_name
from services.proxy.domain.delegation import Applicant, Delegation
from services.proxy.domain.trip import Trip

WIDTH = PAGE_WIDTH - 36 * mm  # the text width between 18 mm margins
DESTINATIONS = {"township": "乡镇便民服务中心", "county": "县级部门"}
STATES = {
    "accepted": "已受理", "decided": "当场办结", "awaiting_trip": "待送件", "at_township": "乡镇办理中",
    "at_county": "县级部门办理中", "returned": "结果已返回", "replied": "已回复", "filed": "已归档",
    "withdrawn": "已撤回",
}  # fmt: skip
ACTIONS = {
    "register": "登记委托", "decide": "当场办理", "await_trip": "排入代办日", "deliver": "送达乡镇",
    "carry": "指派承运", "accepted": "乡镇受理", "escalated": "报送县级", "resumed": "退回乡镇",
    "completed": "办结", "replied": "回复申请人", "archived": "归档", "withdrawn": "撤回",
    "reply": "落实确认", "file": "归档",
}  # fmt: skip
OUTCOMES = {"approved": "准予办理", "denied": "不予办理"}
METHODS = {"signature": "签名", "thumbprint": "按手印"}
SATISFACTIONS = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"}
WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class Names:
    """What the forms print beside the codes: the township's name, agents' and villages' names,
    items' names (each falls back to its code)."""

    township: str
    people: Mapping[str, str]
    villages: Mapping[str, str]
    items: Mapping[str, str]
    tz: ZoneInfo

    def person(self, username: str) -> str:
        name = self.people.get(username, "")
        return f"{name}（{username}）" if name and name != username else username

    def village(self, code: str) -> str:
        return self.villages.get(code) or code

    def item(self, code: str) -> str:
        name = self.items.get(code, "")
        return f"{name}（{code}）" if name else code

    def day(self, value: datetime) -> str:
        local = value.astimezone(self.tz)
        return f"{local.year}年{local.month}月{local.day}日"

    def minute(self, value: datetime) -> str:
        local = value.astimezone(self.tz)
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _heading(t: pdf.Typesetter, township: str, title: str) -> list[Flowable]:
    header = t.style("header", 18, alignment=1, textColor=RED, leading=26)
    title_style = t.style("title", 18, alignment=1, leading=28, spaceBefore=3 * mm, spaceAfter=3 * mm)
    return [
        t.para(f"{township}便民服务中心", header),
        HRFlowable(width="100%", thickness=1.5, color=RED, spaceBefore=1 * mm),
        t.para(title, title_style),
    ]


def manifests(trips: Sequence[Trip], names: Names, printed_at: datetime) -> bytes:
    """The manifests of `trips`, one trip a page (an empty list prints one page saying so)."""
    t = pdf.typesetter()
    cell, small = t.style("cell", 10), t.style("small", 9, textColor=colors.grey)
    story: list[Flowable] = []
    for n, trip in enumerate(trips):
        if n:
            story.append(PageBreak())
        day = trip.date
        story += _heading(t, names.township, "代办员送件清单")
        meta = [
            [t.para(f"代办日：{day.year}年{day.month}月{day.day}日（星期{WEEKDAYS[day.weekday()]}）", cell),
             t.para(f"送往：{DESTINATIONS.get(trip.destination, trip.destination)}", cell)],
            [t.para(f"代办员：{names.person(trip.carrier)}", cell),
             t.para(f"所在村：{names.village(trip.village) if trip.village else '乡级代办员'}", cell)],
            [t.para(f"件数：{len(trip.delegations)}", cell),
             t.para(f"状态：{'已送达' if trip.status == 'delivered' else '待送达'}", cell)],
        ]  # fmt: skip
        story += [t.table(meta, grid=False, widths=[WIDTH / 2, WIDTH / 2]), Spacer(1, 3 * mm)]
        rows = [[t.para(h, cell) for h in ("序号", "办件编号", "事项", "申请人", "村", "接收核对")]]
        for i, d in enumerate(trip.delegations, 1):
            rows.append(
                [t.para(str(i), cell), t.para(d.case_number, cell), t.para(names.item(d.item_code), cell),
                 t.para(mask_name(d.applicant.name), cell), t.para(names.village(d.village), cell),
                 t.para("□", cell)]
            )  # fmt: skip
        widths = [w * WIDTH for w in (0.07, 0.24, 0.30, 0.12, 0.15, 0.12)]
        story.append(t.table(rows, grid=True, widths=widths, header=True, repeat_header=True))
        signatures = [
            [
                t.para("代办员（签名）：＿＿＿＿＿＿＿＿", cell),
                t.para("接收人（签名）：＿＿＿＿＿＿＿＿", cell),
            ],
            [
                t.para("送达时间：＿＿＿＿年＿＿月＿＿日＿＿时", cell),
                t.para("接收窗口：＿＿＿＿＿＿＿＿", cell),
            ],
        ]
        story += [
            Spacer(1, 8 * mm),
            KeepTogether([t.table(signatures, grid=False, widths=[WIDTH / 2, WIDTH / 2])]),
            Spacer(1, 4 * mm),
            t.para(f"清单编号：{trip.id}　打印时间：{names.minute(printed_at)}", small),
        ]
    if not trips:
        story += _heading(t, names.township, "代办员送件清单")
        story.append(t.para("该代办日没有待送件的代办事项。", t.style("body", 12)))
    return pdf.build(story, t, title="代办员送件清单", author=names.township, margins_mm=(15, 18, 15, 18))


def card(d: Delegation, applicant: Applicant, names: Names, printed_at: datetime) -> bytes:
    """The implementation card of `d`, for the applicant to confirm; `applicant` as the caller may
    see them (`Delegation.seen_by`: in full on the delegation's own agent's copy)."""
    t = pdf.typesetter()
    cell, body = t.style("cell", 10.5), t.style("body", 11)
    small = t.style("small", 9, textColor=colors.grey)
    fee = (
        f"法定收费 {d.fee.amount_fen / 100:.2f} 元，票据号 {d.fee.receipt}；代办服务不收取任何费用"
        if d.fee is not None and d.fee.amount_fen
        else "无收费（代办服务不收取任何费用）"
    )
    outcome = OUTCOMES.get(d.outcome, "")
    if outcome and d.outcome_reason:
        outcome += f"：{d.outcome_reason}"
    label_w, value_w = 0.16 * WIDTH, 0.34 * WIDTH
    facts = [
        ("申请人", applicant.name, "联系电话", applicant.phone),
        ("所在村", names.village(d.village), "代办员", names.person(d.agent)),
        ("办件编号", d.case_number, "委托时间", names.minute(d.consent.signed_at)),
        ("代办事项", names.item(d.item_code), "当前状态", STATES.get(d.state, d.state)),
    ]
    rows = [[t.para(a, cell), t.para(b, cell), t.para(c, cell), t.para(e, cell)] for a, b, c, e in facts]
    rows += [
        [t.para("办理结果", cell), t.para(outcome or STATES.get(d.state, d.state), cell), "", ""],
        [t.para("收费情况", cell), t.para(fee, cell), "", ""],
    ]
    facts_table = t.table(rows, grid=True, widths=[label_w, value_w, label_w, value_w])
    facts_table.setStyle([("SPAN", (1, 4), (3, 4)), ("SPAN", (1, 5), (3, 5))])
    steps = [[t.para(h, cell) for h in ("时间", "经办人", "环节", "状态")]]
    for h in d.history:
        step = ACTIONS.get(h.action, h.action) + (f"（{h.reason}）" if h.reason else "")
        steps.append([t.para(names.minute(h.at), cell), t.para(names.person(h.actor), cell),
                      t.para(step, cell), t.para(STATES.get(h.state, h.state), cell)])  # fmt: skip
    steps_table = t.table(steps, grid=True, widths=[w * WIDTH for w in (0.26, 0.26, 0.30, 0.18)], header=True)
    chosen = d.satisfaction
    marks = "　".join(f"{'■' if chosen == k else '□'}{v}" for k, v in SATISFACTIONS.items())
    method = METHODS.get(d.confirmation.method, "") if d.confirmation is not None else ""
    confirm_rows = [
        [t.para("满意度评价", cell), t.para(marks, cell)],
        [t.para("申请人确认（签名或按手印）", cell), t.para(f"已{method}确认" if method else "", cell)],
        [t.para("确认日期", cell),
         t.para(names.day(d.confirmation.at) if d.confirmation else "＿＿＿＿年＿＿月＿＿日", cell)],
        [t.para("见证人", cell), t.para(d.confirmation.witnessed_by if d.confirmation else "", cell)],
        [t.para("代办员（签名）", cell), t.para("", cell)],
    ]  # fmt: skip
    # the signature or thumbprint box has room for a thumb
    heights = [None, 32 * mm, None, None, 14 * mm]
    confirm = t.table(confirm_rows, grid=True, widths=[label_w, WIDTH - label_w], heights=heights)
    story: list[Flowable] = [
        *_heading(t, names.township, "代办事项落实卡"),
        facts_table,
        Spacer(1, 4 * mm),
        t.para("办理经过", t.style("h2", 12, spaceAfter=1 * mm)),
        steps_table,
        Spacer(1, 4 * mm),
        t.para("申请人对代办结果的确认", t.style("h2b", 12, spaceAfter=1 * mm)),
        KeepTogether([confirm]),
        Spacer(1, 3 * mm),
        t.para(
            "本卡一式两份，申请人与便民服务中心各执一份。代办服务免费；如有收取代办费用等情况，请向乡镇纪委举报。",
            body,
        ),
        Spacer(1, 2 * mm),
        t.para(f"代办编号：{d.id}　打印时间：{names.minute(printed_at)}", small),
    ]
    return pdf.build(story, t, title="代办事项落实卡", subject=d.case_number, author=names.township)
