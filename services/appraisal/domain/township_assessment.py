"""The county's assessment of its township centres (县对乡镇考核, DOMAIN.md §7.6): ten indicators,
百分制, per township and quarter. Pure rules: the indicators of seed 001 第一篇 (their names,
maxima and the clause each comes from), how an automatic indicator is scored from the quarter's
figures, and the checks of a manual value.

The seed gives each indicator a maximum and a sentence of what is expected; how a shortfall
scores is not written there, so each rule below says what it takes from the sentence:
- 办理事项办结率 (15): "中心各种办理事项按时办结" — DOMAIN.md §7.6 says on-time completion rate × 15;
  a quarter with no completed case has nothing late (full points).
- 窗口设置 (10): "设置了相应的办事窗口,并配备相应的工作人员" — the share of windows with an active
  staff member on their A or B post × 10 (no window: 0).
- 全程代办 (10): "应全部建成为民办事全程代办点,并全部有效运(行)" — the share of villages with an
  active proxy station × 10 (no village: 0).
- 信息报送 (5): "每月报送信息不少于5篇" — each month of the quarter is worth a third of 5, in
  proportion to its reports up to 5.
- 群众投诉 (10): "做到零投诉" — 10 with no verified complaint in the quarter, else 0.
- 明查暗访电子监察 (15): "不得出现违规现象" — 15 with no supervision finding in the quarter, else 0;
  the county may set it instead, with evidence (auto + manual: its value then stands).
- the other four (领导重视, 办公场所, 设备配备, 配合工作) are the county's, set with evidence; until
  then they score 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from libs.common.errors import ValidationFailed

AUTO, MANUAL, AUTO_MANUAL = "auto", "manual", "auto_manual"
QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])\Z")
EVIDENCE_MAX = 2000
REPORTS_A_MONTH = 5


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    max: float
    source: str  # auto | manual | auto_manual
    clause: str  # seed 001 第一篇, word for word


SEED = "seed 001 第一篇 考评内容及指标(百分制)"

INDICATORS: tuple[Indicator, ...] = (
    Indicator("leadership", "领导重视", 5, MANUAL, "1、領導重視(5分):中心設置了專兼職的分管領導。"),
    Indicator("premises", "办公场所", 10, MANUAL, "2、辦公場所(10分):中心有固定的辦公場所。"),
    Indicator(
        "equipment", "设备配备", 10, MANUAL,
        "3、設備配備(10分):中心辦公設備配備齊全,設備配備能滿足日常工作的需要。",
    ),
    Indicator(
        "windows", "窗口设置", 10, AUTO, "4、窗口設置(10分):中心設置了相應的辦事窗口,并配備相應的工作人員。"
    ),
    Indicator(
        "cooperation", "配合工作", 10, MANUAL,
        "5、配合工作(10分):中心積極參加上級業務部門的各種會議和舉辦的各種培訓班。",
    ),
    Indicator("completion", "办理事项办结率", 15, AUTO, "6、辦理事項辦結率(15分):中心各種辦理事項按時辦結。"),
    Indicator(
        "proxy", "为民办事全程代办工作情况", 10, AUTO,
        "7、為民辦事全程代辦工作情況(10分):應全部建成為民辦事全程代辦點,并全部有效運,正常開展為民辦事全程代辦工作。",
    ),
    Indicator("reports", "信息报送", 5, AUTO, "8、信息報送(5分):每月報送信息不少于5篇。"),
    Indicator(
        "complaints", "群众投诉", 10, AUTO, "9、群眾投訴(10分):積極做好工作人員日常管理工作,做到零投訴。"
    ),
    Indicator(
        "supervision", "明查暗访电子监察", 15, AUTO_MANUAL,
        "10、明查暗訪電子監察(15分):努力做好工作人員管理工作,嚴格執行各項規章制度,不得出現違規現象。",
    ),
)  # fmt: skip
BY_CODE = {i.code: i for i in INDICATORS}


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1..4

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def months(self) -> tuple[str, str, str]:
        first = 3 * (self.number - 1) + 1
        return tuple(f"{self.year:04d}-{m:02d}" for m in range(first, first + 3))  # type: ignore[return-value]

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) of the quarter in the county's zone, as UTC instants."""
        start = date(self.year, 3 * (self.number - 1) + 1, 1)
        end = date(self.year + 1, 1, 1) if self.number == 4 else date(self.year, 3 * self.number + 1, 1)
        return _instant(start, tz), _instant(end, tz)


def _instant(day: date, tz: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


def quarter(value: str) -> Quarter:
    m = QUARTER_RE.match(value) if isinstance(value, str) else None
    if m is None or int(m.group(1)) < 1:
        raise ValidationFailed(f"quarter must be YYYYQn (n 1–4), got {value!r}", field="quarter")
    return Quarter(int(m.group(1)), int(m.group(2)))


@dataclass(frozen=True)
class Figures:
    """What the platform recorded of one township in one quarter (the automatic inputs)."""

    completed: int = 0
    completed_on_time: int = 0
    windows: int = 0
    windows_staffed: int = 0
    villages: int = 0
    villages_with_proxy: int = 0
    reports_by_month: tuple[int, int, int] = (0, 0, 0)
    verified_complaints: int = 0
    supervision_findings: int = 0


@dataclass(frozen=True)
class ManualValue:
    points: float
    evidence: str
    set_by: str
    set_at: datetime


@dataclass(frozen=True)
class Scored:
    indicator: Indicator
    points: float
    basis: str  # how the points were reached, in Chinese (what the county reads)
    evidence: str = ""


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _points(value: float) -> float:
    return round(value, 2)


def score_auto(indicator: Indicator, f: Figures) -> Scored:
    """An automatic indicator from the quarter's figures."""
    code, top = indicator.code, indicator.max
    if code == "completion":
        if f.completed == 0:
            return Scored(indicator, top, "本季度无办结件,无超期")
        rate = f.completed_on_time / f.completed
        basis = f"按时办结 {f.completed_on_time}/{f.completed} 件 × {top:g}"
        return Scored(indicator, _points(rate * top), basis)
    if code == "windows":
        share = _share(f.windows_staffed, f.windows)
        basis = f"配备人员的窗口 {f.windows_staffed}/{f.windows} 个 × {top:g}"
        return Scored(indicator, _points(share * top), basis)
    if code == "proxy":
        share = _share(f.villages_with_proxy, f.villages)
        basis = f"有在岗代办员的村(社区) {f.villages_with_proxy}/{f.villages} 个 × {top:g}"
        return Scored(indicator, _points(share * top), basis)
    if code == "reports":
        per_month = top / len(f.reports_by_month)
        points = sum(per_month * min(n, REPORTS_A_MONTH) / REPORTS_A_MONTH for n in f.reports_by_month)
        counts = "、".join(str(n) for n in f.reports_by_month)
        return Scored(indicator, _points(points), f"各月报送 {counts} 篇(每月不少于{REPORTS_A_MONTH}篇)")
    if code == "complaints":
        n = f.verified_complaints
        return Scored(indicator, top if n == 0 else 0.0, f"经核实的投诉 {n} 件(零投诉得满分)")
    if code == "supervision":
        n = f.supervision_findings
        return Scored(indicator, top if n == 0 else 0.0, f"电子监察督办 {n} 次(无违规得满分)")
    raise ValueError(f"{code} is not an automatic indicator")


def score(indicator: Indicator, f: Figures, manual: ManualValue | None) -> Scored:
    """One indicator: a manual value stands where the county may set one; else the automatic
    score, or 0 for a manual indicator not set yet."""
    if manual is not None and indicator.source in (MANUAL, AUTO_MANUAL):
        return Scored(indicator, manual.points, f"县级评定({manual.set_by})", manual.evidence)
    if indicator.source == MANUAL:
        return Scored(indicator, 0.0, "县级尚未评定")
    return score_auto(indicator, f)


@dataclass(frozen=True)
class Assessment:
    tenant: str
    name: str
    quarter: str
    indicators: tuple[Scored, ...]

    @property
    def total(self) -> float:
        return _points(sum(s.points for s in self.indicators))


def assess(tenant: str, name: str, q: Quarter, f: Figures, manual: dict[str, ManualValue]) -> Assessment:
    scored = tuple(score(i, f, manual.get(i.code)) for i in INDICATORS)
    return Assessment(tenant, name, q.label, scored)


def manual_value(code: str, points: float, evidence: str) -> tuple[Indicator, float, str]:
    """Check a value the county sets: an indicator it may set, points within 0..max, evidence."""
    indicator = BY_CODE.get(code)
    if indicator is None:
        raise ValidationFailed(f"no indicator {code!r} (known: {', '.join(BY_CODE)})", field="code")
    if indicator.source == AUTO:
        raise ValidationFailed(f"{code} is computed from the platform's data, not set by hand", field="code")
    if not isinstance(points, int | float) or points != points or not 0 <= points <= indicator.max:
        raise ValidationFailed(f"points must be within 0..{indicator.max:g} for {code}", field="points")
    text = (evidence or "").strip()
    if not text:
        raise ValidationFailed("evidence is required", field="evidence")
    if len(text) > EVIDENCE_MAX:
        raise ValidationFailed(f"evidence is longer than {EVIDENCE_MAX} characters", field="evidence")
    return indicator, round(float(points), 2), text


TITLE_MAX, BODY_MAX = 200, 20000


@dataclass(frozen=True)
class Report:
    """An information report (信息报送) a township centre submits to the county."""

    title: str
    body: str


def report(title: object, body: object) -> Report:
    if not isinstance(title, str) or not title.strip() or len(title.strip()) > TITLE_MAX or "\x00" in title:
        raise ValidationFailed(f"title must be 1-{TITLE_MAX} characters", field="title")
    if not isinstance(body, str) or len(body) > BODY_MAX or "\x00" in body:
        raise ValidationFailed(f"body must be at most {BODY_MAX} characters", field="body")
    return Report(title.strip(), body.strip())
