"""Notice templates and their PDF: every kind renders with every element the law asks of it; the
supplement notice lists every missing material; the applicant is masked; a county's own template
wins; a template naming an unknown value fails instead of printing a blank."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pypdf
import pytest
from bianmin.intake.v1 import case_pb2, events_pb2
from jinja2 import UndefinedError

from services.notify.adapters import pdf
from services.notify.adapters.case_event_proto import from_message
from services.notify.adapters.templates import NoticeTemplates
from services.notify.domain import notices as n
from services.notify.service_layer.case_events import Township, notice_context

AT = datetime(2026, 11, 22, 2, 30, tzinfo=UTC)  # 10:30 in Guangxi
DUE = datetime(2026, 12, 18, 9, 30, tzinfo=UTC)
TOWNSHIP = Township(tenant="tianyang.napo", name="那坡镇")
CODE = "K7M2P9QX"


def summary() -> case_pb2.CaseSummary:
    return case_pb2.CaseSummary(
        case_id="c-1", number="NP-20261122-0007", item_code="db_apply", item_name="低保申请", version=3
    )


def ts(at: datetime):  # type: ignore[no-untyped-def]
    from google.protobuf.timestamp_pb2 import Timestamp

    out = Timestamp()
    out.FromDatetime(at)
    return out


MESSAGES = {
    n.ACCEPTANCE: events_pb2.CaseAccepted(case=summary(), clock=case_pb2.Clock(due_at=ts(DUE))),
    n.SUPPLEMENT: events_pb2.CaseSupplementRequested(
        case=summary(),
        missing_materials=["hukou", "income", "house"],
        missing_material_names=["户口簿", "家庭收入证明", "住房情况说明"],
        note="收入证明需村委会盖章",
    ),
    n.REFUSAL: events_pb2.CaseRefused(case=summary(), reason="不属于本中心受理范围", refer_to="县医疗保障局"),
    n.ESCALATION: events_pb2.CaseEscalated(
        case=summary(), to_level=3, department="县民政局", reason="需县级审批", notify_by=ts(DUE)
    ),
    n.EXTENSION: events_pb2.CaseExtended(
        case=summary(), working_days=10, reason="需实地核查", due_at=ts(DUE)
    ),
    n.RESULT: events_pb2.CaseCompleted(case=summary(), outcome=2, reason="家庭人均收入高于低保标准"),
    n.SATISFACTION: events_pb2.CaseCompleted(case=summary(), outcome=1),
    n.RETURN: events_pb2.CaseReturned(case=summary(), reason="申请人提供的材料系伪造"),
}
TITLES = {
    n.ACCEPTANCE: "受理通知书",
    n.SUPPLEMENT: "一次性告知单",
    n.REFUSAL: "不予受理通知书",
    n.ESCALATION: "转办告知书",
    n.EXTENSION: "延期办理告知书",
    n.RESULT: "办理结果告知单",
    n.SATISFACTION: "满意度评价邀请",
    n.RETURN: "退件通知书",
}
# what each kind must say besides the common elements
REQUIRED = {
    n.ACCEPTANCE: ["2026年12月18日"],
    n.SUPPLEMENT: ["户口簿", "家庭收入证明", "住房情况说明", "收入证明需村委会盖章"],
    n.REFUSAL: ["不属于本中心受理范围", "县医疗保障局"],
    n.ESCALATION: ["县级", "县民政局", "需县级审批", "2026年12月18日"],
    n.EXTENSION: ["需实地核查", "10个工作日", "2026年12月18日"],
    n.RESULT: ["不予办理", "家庭人均收入高于低保标准", "行政复议"],
    n.SATISFACTION: ["满意"],
    n.RETURN: ["申请人提供的材料系伪造"],
}


def render(kind: str, templates: NoticeTemplates | None = None, locale: str = "zh-CN") -> str:
    ctx = notice_context(kind, from_message(MESSAGES[kind]), TOWNSHIP, AT, CODE, "张三丰")
    return (templates or NoticeTemplates()).render(kind, locale, ctx)


@pytest.mark.parametrize("kind", n.KINDS)
def test_every_kind_renders_with_every_required_element(kind: str) -> None:
    text = render(kind)
    assert text.splitlines()[0] == TITLES[kind]
    for element in ["NP-20261122-0007", CODE, "2026年11月22日", "低保申请", "那坡镇", *REQUIRED[kind]]:
        assert element in text, (kind, element, text)
    assert "张**" in text and "张三丰" not in text  # the applicant masked


def test_supplement_lists_every_missing_material_by_name_once_each() -> None:
    message = events_pb2.CaseSupplementRequested(
        case=summary(),
        missing_materials=[f"m{i}" for i in range(12)],
        missing_material_names=[f"材料{i}号" for i in range(11)] + [""],
    )
    text = NoticeTemplates().render(
        "supplement", "zh-CN", notice_context("supplement", from_message(message), TOWNSHIP, AT, CODE, "李四")
    )
    for i in range(11):
        assert f"{i + 1}. 材料{i}号" in text
    assert "12. m11" in text  # no name known: its code, never dropped
    assert "（补充告知）" not in text


def test_refusal_without_a_referral_still_says_where_to_ask() -> None:
    message = events_pb2.CaseRefused(case=summary(), reason="不属于受理范围")
    text = NoticeTemplates().render(
        "refusal", "zh-CN", notice_context("refusal", from_message(message), TOWNSHIP, AT, CODE, "李四")
    )
    assert "向本中心窗口咨询" in text


def test_county_override_wins_and_other_locales_fall_back(tmp_path: Path) -> None:
    (tmp_path / "zh-CN").mkdir()
    (tmp_path / "zh-CN" / "acceptance.j2").write_text(
        "田阳县受理通知书\n{{ case_number }} {{ verification_code }}\n"
    )
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "result.j2").write_text("Result notice\n{{ case_number }}: {{ outcome }}\n")
    county = NoticeTemplates(tmp_path)
    assert render(n.ACCEPTANCE, county) == f"田阳县受理通知书\nNP-20261122-0007 {CODE}"
    assert render(n.REFUSAL, county).startswith("不予受理通知书")  # not overridden: the shipped one
    assert render(n.RESULT, county, locale="en").startswith("Result notice")
    assert render(n.REFUSAL, county, locale="en").startswith("不予受理通知书")  # no en template: zh-CN
    assert render(n.REFUSAL, county, locale="../../etc").startswith("不予受理通知书")  # not a locale


def test_a_template_naming_an_unknown_value_fails(tmp_path: Path) -> None:
    (tmp_path / "zh-CN").mkdir()
    (tmp_path / "zh-CN" / "return.j2").write_text("退件 {{ case_number }} {{ no_such_value }}")
    with pytest.raises(UndefinedError):
        render(n.RETURN, NoticeTemplates(tmp_path))
    with pytest.raises(ValueError):
        NoticeTemplates().render("birthday", "zh-CN", {})


def test_verification_codes_are_random_and_unambiguous() -> None:
    codes = {n.verification_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == n.CODE_LENGTH and not set(c) & set("01OIL") for c in codes)


def test_pdf_has_the_title_case_number_code_text_and_date() -> None:
    text = render(n.SUPPLEMENT)
    document = pdf.render(
        title=TITLES[n.SUPPLEMENT],
        case_number="NP-20261122-0007",
        verification_code=CODE,
        text=text,
        date="2026年11月22日",
    )
    assert document.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(document))
    extracted = "".join(page.extract_text() for page in reader.pages)
    for element in ["一次性告知单", "NP-20261122-0007", CODE, "户口簿", "住房情况说明", "2026年11月22日"]:
        assert element in extracted
    assert reader.metadata is not None and reader.metadata.title == TITLES[n.SUPPLEMENT]


def test_acceptance_prints_the_deadline_in_force_else_no_date() -> None:
    # intake sets both the clock's and the summary's due_at; the summary's alone is enough
    with_summary = events_pb2.CaseAccepted(case=summary())
    with_summary.case.due_at.FromDatetime(DUE)
    text = NoticeTemplates().render(
        n.ACCEPTANCE,
        "zh-CN",
        notice_context(n.ACCEPTANCE, from_message(with_summary), TOWNSHIP, AT, CODE, "李四"),
    )
    assert "承诺办结时间：2026年12月18日" in text
    bare = events_pb2.CaseAccepted(case=summary())
    text = NoticeTemplates().render(
        n.ACCEPTANCE, "zh-CN", notice_context(n.ACCEPTANCE, from_message(bare), TOWNSHIP, AT, CODE, "李四")
    )
    assert "承诺办结时间" not in text and "承诺时限内办结" in text


def test_a_provisional_deadline_says_so_and_a_moved_one_is_corrected() -> None:
    accepted = events_pb2.CaseAccepted(case=summary())
    accepted.clock.due_at.FromDatetime(DUE)
    accepted.clock.provisional = True  # next year's holidays are not published yet
    context = notice_context(n.ACCEPTANCE, from_message(accepted), TOWNSHIP, AT, CODE, "李四")
    text = NoticeTemplates().render(n.ACCEPTANCE, "zh-CN", context)
    assert "承诺办结时间：2026年12月18日" in text and "暂定" in text and "另行书面告知" in text
    moved = events_pb2.CaseDeadlineRecomputed(case=summary())
    moved.previous_due_at.FromDatetime(DUE)
    moved.due_at.FromDatetime(DUE + timedelta(days=3))
    context = notice_context(n.ACCEPTANCE, from_message(moved), TOWNSHIP, AT, CODE, "李四")
    text = NoticeTemplates().render(n.ACCEPTANCE, "zh-CN", context)
    assert text.startswith("受理通知书（更正）") and "暂定" not in text
    assert "由2026年12月18日更正为2026年12月21日" in text
