"""The exclusion list (不代办对象; DOMAIN.md §6.2; seed 002 篇6 四(二): "涉黑、涉恶人员不代办；长期反抗党委、
政府 … 的人员不代办；有能力办，但自己懒得办的人员不代办"): the people no delegation is taken for.

Pure rules: an entry names a person (name, and an ID number and/or a phone when known) and the
reason it was recorded; the reason is kept for the township's management and never shown again,
nor said to whoever is refused (`matches` answers yes or no, nothing more).

Matching (`matches`), on normalised values (NFC name, upper-case ID number, a phone's digits):
- both have an ID number: the same person exactly when the numbers are equal;
- else both have a phone: when the names and the phones are equal;
- else (nothing to tell them apart): when the names are equal — refusing a namesake is the safe
  side; the agent can still accompany the applicant to the hall (协同办理)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from libs.common.contact import check_phone, check_resident_id
from libs.common.text import check_text, clean_name
from services.proxy.domain.household import phone_key

MAX_REASON = 500


@dataclass(frozen=True)
class Person:
    """The normalised identity a check compares."""

    name: str
    id_number: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Exclusion:
    id: str
    name: str
    id_number: str
    phone: str
    reason: str
    created_at: datetime
    created_by: str

    @property
    def key(self) -> Person:
        return person(self.name, self.id_number, self.phone)


def person(name: str, id_number: str = "", phone: str = "") -> Person:
    """The normalised identity of what a caller typed (total: never raises)."""
    n = unicodedata.normalize("NFC", name or "").strip()
    i = "".join((id_number or "").split()).upper()
    return Person(n, i, phone_key(phone or ""))


def new_exclusion(name: str, id_number: str, phone: str, reason: str) -> tuple[str, str, str, str]:
    """Validated (name, id_number, phone, reason)."""
    name = clean_name(name, "name")
    id_number = check_resident_id(id_number.strip().upper()) if (id_number or "").strip() else ""
    phone = check_phone(phone, "phone") if (phone or "").strip() else ""
    reason = (reason or "").strip()
    check_text(reason, "reason", MAX_REASON)
    return name, id_number, phone, reason


def matches(entry: Person, who: Person) -> bool:
    if not entry.name and not entry.id_number:
        return False
    if entry.id_number and who.id_number:
        return entry.id_number == who.id_number
    if entry.name != who.name:
        return False
    if entry.phone and who.phone:
        return entry.phone == who.phone
    return True
