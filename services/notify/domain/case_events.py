"""Intake's case and petition events as notify reads them: plain values, decoded from the wire
by adapters/case_event_proto.py. Enums are the domain's lower-case words ("" when unset)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CaseSummary:
    """The case as it stood right after the event."""

    case_id: str
    number: str
    item_code: str = ""
    item_name: str = ""
    handler: str = ""
    first_ask: str = ""
    window: str = ""  # the window that handles it (printed on its notices)
    state: str = ""
    due_at: datetime | None = None
    version: int = 0
    applicant_sealed: str = ""  # the applicant's contact, sealed (libs/common/sealing.py)

    @property
    def item(self) -> str:
        return self.item_name or self.item_code

    @property
    def label(self) -> str:
        return f"{self.number}（{self.item}）"

    @property
    def responsible(self) -> str:
        """Who answers for the case: its handler, else the first-ask person."""
        return self.handler or self.first_ask


@dataclass(frozen=True)
class CaseEvent:
    """One case event (`event_type` as on the bus); each field is the event's own where it has
    one, else its default."""

    event_type: str
    case: CaseSummary
    due_at: datetime | None = None  # the new deadline of the events that carry one
    clock_due_at: datetime | None = None  # the clock's deadline (accepted, resumed)
    previous_due_at: datetime | None = None  # the deadline before it moved (extended, recomputed)
    provisional: bool = False  # the deadline falls in a year whose holidays are not published yet
    missing_materials: tuple[str, ...] = ()
    missing_material_names: tuple[str, ...] = ()
    note: str = ""
    second_request: bool = False
    reason: str = ""
    refer_to: str = ""
    to_level: str = ""
    department: str = ""
    notify_by: datetime | None = None
    working_days: int = 0
    outcome: str = ""
    handler: str = ""
    actor: str = ""
    presses: int = 0
    colour: str = ""

    @property
    def newest_due_at(self) -> datetime | None:
        """The newest deadline the event knows: the summary's, else the event's, else the clock's."""
        return self.case.due_at or self.due_at or self.clock_due_at


@dataclass(frozen=True)
class PetitionRegistered:
    number: str
    collective: bool
    registered_at: datetime | None = None
    answer_due_at: datetime | None = None
