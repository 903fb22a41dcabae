"""The first-ask register (首问登记, DOMAIN.md §4, §11). Pure: no database, no protos.

The first staff member a citizen asks — in person or by phone — registers the inquiry: who asked
(name, organisation, contact), the matter, and the result. If the matter is not theirs they route
the citizen to the right window or office and say where: a routed entry without `routed_to` is
refused (they never answer "not my business"). The first-ask person is the caller, never a field
the caller fills in.

The citizen's name and contact are personal data: shown in full only to the first-ask person who
registered the entry, masked for everyone else (and free text is scanned for phone and ID
numbers)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from libs.common.errors import ValidationFailed
from libs.common.pii import mask_name, mask_phone, mask_text, mask_value
from libs.common.tenancy import validate_code
from libs.common.text import check_one_of, check_text, clean_name, trimmed

CHANNELS = ("walk_in", "phone")
# answered: the question was answered (咨询解答); handled: the first-ask person handled the matter
# (办理); routed: not theirs — the citizen was sent to the window/office named in `routed_to`
RESULTS = ("answered", "handled", "routed")
ROUTED = "routed"
MAX_NAME, MAX_CONTACT, MAX_ORGANISATION, MAX_MATTER, MAX_ROUTED_TO = 100, 100, 200, 2000, 200


@dataclass(frozen=True)
class Inquiry:
    """An entry of the register as it is being made (no id, time or first-ask person yet: those
    are the service's). Always valid: the constructor enforces every rule."""

    channel: str
    citizen_name: str
    contact: str
    matter: str
    result: str
    item_code: str = ""  # the catalogue item it concerns, if known (must exist: the service checks)
    routed_to: str = ""  # the window or office the citizen was sent to (routed only)
    organisation: str = ""

    def __post_init__(self) -> None:
        check_one_of(self.channel, CHANNELS, "channel")
        check_text(self.citizen_name, "citizen_name", MAX_NAME)
        check_text(self.contact, "contact", MAX_CONTACT)
        check_text(self.matter, "matter", MAX_MATTER)
        check_one_of(self.result, RESULTS, "result")
        check_text(self.organisation, "organisation", MAX_ORGANISATION, required=False)
        check_text(self.routed_to, "routed_to", MAX_ROUTED_TO, required=False)
        if self.item_code:
            validate_code(self.item_code, "item_code")
        if self.result == ROUTED and not self.routed_to:
            raise ValidationFailed(
                "a routed inquiry must say where the citizen was sent (routed_to): "
                "never 'not my business' (首问负责制)"
            )
        if self.result != ROUTED and self.routed_to:
            raise ValidationFailed(f"routed_to is only for a routed inquiry; the result is {self.result!r}")


@dataclass(frozen=True)
class RegisteredInquiry:
    """An entry of the register as stored."""

    id: str
    inquiry: Inquiry
    first_ask: str  # username of the first-ask responsible person (the registrar)
    registered_at: datetime
    case_id: str = ""

    def seen_by(self, username: str) -> RegisteredInquiry:
        """The entry as `username` may see it: in full for the first-ask person, masked for
        everyone else (DOMAIN.md §11)."""
        return self if username == self.first_ask else self.masked()

    def masked(self) -> RegisteredInquiry:
        i = self.inquiry
        masked = replace(
            i,
            citizen_name=mask_name(i.citizen_name),
            contact=mask_contact(i.contact),
            matter=mask_text(i.matter),
        )
        return replace(self, inquiry=masked)


def mask_contact(contact: str) -> str:
    """A phone number as 138****5678 (masked or not: masking is idempotent); anything else as a
    person's details (keeps only the first character)."""
    if _PHONE_LIKE.fullmatch(contact.strip()):
        return str(mask_phone(contact))
    return str(mask_value("contact", contact))


_PHONE_LIKE = re.compile(r"[\d\s\-+().*]{7,}")


def inquiry(data: Mapping[str, Any]) -> Inquiry:
    """Build an entry from plain data (a request, a stored row): texts trimmed."""
    try:
        return Inquiry(
            channel=data["channel"],
            citizen_name=clean_name(data["citizen_name"], "citizen_name", MAX_NAME),
            contact=trimmed(data["contact"]),
            matter=trimmed(data["matter"]),
            result=data["result"],
            item_code=trimmed(data.get("item_code") or ""),
            routed_to=trimmed(data.get("routed_to") or ""),
            organisation=trimmed(data.get("organisation") or ""),
        )
    except KeyError as exc:
        raise ValidationFailed(f"an inquiry needs {exc.args[0]!r}") from None


def as_data(entry: Inquiry) -> dict[str, Any]:
    """The plain data of an entry (the inverse of `inquiry`)."""
    return {
        "channel": entry.channel,
        "citizen_name": entry.citizen_name,
        "contact": entry.contact,
        "matter": entry.matter,
        "result": entry.result,
        "item_code": entry.item_code,
        "routed_to": entry.routed_to,
        "organisation": entry.organisation,
    }


def day_range(from_date: str, to_date: str, tz: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """`from`/`to` dates (YYYY-MM-DD in the county's time zone, both inclusive; empty: unbounded)
    → the UTC instants [start, end) of that range."""
    start_day, end_day = _date(from_date, "from"), _date(to_date, "to")
    if start_day and end_day and start_day > end_day:
        raise ValidationFailed(f"from ({start_day}) is after to ({end_day})")
    try:
        start = datetime.combine(start_day, time(), tz).astimezone(UTC) if start_day else None
        end = datetime.combine(end_day + timedelta(days=1), time(), tz).astimezone(UTC) if end_day else None
    except OverflowError:  # 0001-01-01 west of UTC, 9999-12-31 plus its day
        raise ValidationFailed("from and to must be dates a calendar can hold past their day") from None
    return start, end


def _date(value: str, what: str) -> date | None:
    if not value:
        return None
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{what} must be a date YYYY-MM-DD; got {value!r}") from None
