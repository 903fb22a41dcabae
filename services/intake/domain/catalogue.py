"""The service catalogue (事项目录, DOMAIN.md §2): what an item is and which overrides a township
may make. Pure: no database, no protos.

The county keeps a template; onboarding copies it into the township, which may then shorten an
item's promised limit — never lengthen it past the statutory one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from libs.common.errors import ValidationFailed
from libs.common.tenancy import validate_code
from libs.common.text import check_one_of, clean_name, trimmed

# the categories of the catalogue (seed 000) and their Chinese names, which the API takes too
CATEGORY_NAMES = {
    "civil_affairs": "民政",
    "family_planning": "计生",
    "household_registration": "户籍",
    "forestry": "林业",
    "land": "国土",
    "social_security": "社保",
    "rural_economy": "农经",
    "party_affairs": "党务",
    "petition": "信访",
    "other": "其他",
}
CATEGORIES = tuple(CATEGORY_NAMES)
_CATEGORY_OF_NAME = {name: code for code, name in CATEGORY_NAMES.items()}
LEVELS = ("village", "township", "county")
KINDS = ("registration", "filing", "approval")
# An item that gives no limit takes its kind's (DOMAIN.md §2; seed 002 篇1): registration and
# filing are done on the spot or the same day ("可当场办理的简易事项，服务点工作人员应当场或当天办结"),
# an approval in 3 working days ("必须在3个工作日内给予办理或答复").
KIND_DAYS = {"registration": 0, "filing": 0, "approval": 3}
MAX_DAYS = 366  # a limit longer than a year is a typo, not a statute
MAX_NAME = 200


@dataclass(frozen=True)
class Material:
    """A required material (申报材料), in the item's order."""

    code: str
    name: str
    required: bool = True
    originals: int = 1
    copies: int = 0
    supply_later: bool = False  # may be supplied after acceptance

    def __post_init__(self) -> None:
        validate_code(self.code, "material code")
        _check_name(self.name, f"material {self.code} name")
        if self.originals < 0 or self.copies < 0:
            raise ValidationFailed(f"material {self.code}: originals and copies must be ≥ 0")


@dataclass(frozen=True)
class ServiceGuide:
    """The public service guide (办事指南) of an item: no personal data, ever."""

    item_code: str
    item_name: str
    procedure: str
    legal_basis: str
    materials: tuple[Material, ...]
    promised_days: int
    fee_fen: int
    windows: tuple[str, ...] = ()  # the window(s) serving the item


@dataclass(frozen=True)
class CatalogueItem:
    """An item (事项) of the county template or of a township's copy. Always valid: the
    constructor enforces every rule, so an invalid item cannot exist."""

    code: str
    name: str
    category: str
    level: str
    kind: str
    statutory_days: int  # working days; 0 = decided on the spot
    promised_days: int  # working days; 0 ≤ promised ≤ statutory
    materials: tuple[Material, ...] = ()
    proxyable: bool = False  # 可代办
    in_person: bool = False  # 需本人到场: a proxy may only accompany
    privacy_sensitive: bool = False  # 涉及个人隐私: never proxied
    departments: tuple[str, ...] = ()  # two or more → joint cases (联办件)
    fee_fen: int = 0  # statutory fee in fen; proxying itself is always free
    procedure: str = ""
    legal_basis: str = ""

    def __post_init__(self) -> None:
        validate_code(self.code, "item code")
        _check_name(self.name, "item name")
        check_one_of(self.category, CATEGORIES, "category")
        check_one_of(self.level, LEVELS, "level")
        check_one_of(self.kind, KINDS, "kind")
        _check_days(self.statutory_days, "statutory_days")
        _check_days(self.promised_days, "promised_days")
        if self.promised_days > self.statutory_days:
            raise ValidationFailed(
                f"promised_days ({self.promised_days}) may not exceed statutory_days ({self.statutory_days})"
            )
        _unique([m.code for m in self.materials], "material codes")
        for department in self.departments:
            validate_code(department, "department code")
        _unique(list(self.departments), "departments")
        if self.privacy_sensitive and self.proxyable:
            raise ValidationFailed("a privacy-sensitive item is never proxied: proxyable must be false")
        if isinstance(self.fee_fen, bool) or not isinstance(self.fee_fen, int) or self.fee_fen < 0:
            raise ValidationFailed("fee must be a non-negative amount")

    @property
    def joint(self) -> bool:
        """Two or more departments make its cases joint cases (联办件)."""
        return len(self.departments) >= 2

    def with_promised_days(self, days: int) -> CatalogueItem:
        """A township's override: any promised limit from 0 up to the statutory one."""
        _check_days(days, "promised_days")
        if days > self.statutory_days:
            raise ValidationFailed(
                f"promised_days ({days}) may not exceed the statutory limit ({self.statutory_days}) "
                f"of item {self.code}"
            )
        return replace(self, promised_days=days)

    def guide(self, windows: Iterable[str] = ()) -> ServiceGuide:
        return ServiceGuide(
            item_code=self.code,
            item_name=self.name,
            procedure=self.procedure,
            legal_basis=self.legal_basis,
            materials=self.materials,
            promised_days=self.promised_days,
            fee_fen=self.fee_fen,
            windows=tuple(windows),
        )


def category_code(value: Any) -> Any:
    """The category's code, given its code or its Chinese name (民政 → civil_affairs)."""
    if isinstance(value, str):
        return _CATEGORY_OF_NAME.get(value.strip(), value)
    return value


def catalogue_item(data: Mapping[str, Any]) -> CatalogueItem:
    """Build an item from plain data (a request, a stored row): names trimmed, lists as tuples."""
    try:
        statutory = data.get("statutory_days")
        if statutory is None:
            statutory = KIND_DAYS.get(data["kind"], 0)  # an unknown kind is refused below
        promised = data.get("promised_days")
        return CatalogueItem(
            code=data["code"],
            name=clean_name(data["name"], "item name", MAX_NAME),
            category=category_code(data["category"]),
            level=data["level"],
            kind=data["kind"],
            statutory_days=statutory,
            promised_days=statutory if promised is None else promised,
            materials=tuple(material(m) for m in data.get("materials") or ()),
            proxyable=bool(data.get("proxyable", False)),
            in_person=bool(data.get("in_person", False)),
            privacy_sensitive=bool(data.get("privacy_sensitive", False)),
            departments=tuple(data.get("departments") or ()),
            fee_fen=data.get("fee_fen", 0),
            procedure=trimmed(data.get("procedure") or ""),
            legal_basis=trimmed(data.get("legal_basis") or ""),
        )
    except KeyError as exc:
        raise ValidationFailed(f"a catalogue item needs {exc.args[0]!r}") from None


def material(data: Mapping[str, Any]) -> Material:
    try:
        return Material(
            code=data["code"],
            name=clean_name(data["name"], f"material {data['code']} name", MAX_NAME),
            required=bool(data.get("required", True)),
            originals=data.get("originals", 1),
            copies=data.get("copies", 0),
            supply_later=bool(data.get("supply_later", False)),
        )
    except KeyError as exc:
        raise ValidationFailed(f"a material needs {exc.args[0]!r}") from None


def material_data(m: Any) -> dict[str, Any]:
    """The plain data of a material (the inverse of `material`): a domain Material, or any
    message with the same fields (the proto's)."""
    return {
        "code": m.code,
        "name": m.name,
        "required": m.required,
        "originals": m.originals,
        "copies": m.copies,
        "supply_later": m.supply_later,
    }


def as_data(item: CatalogueItem) -> dict[str, Any]:
    """The plain data of an item (the inverse of `catalogue_item`)."""
    return {
        "code": item.code,
        "name": item.name,
        "category": item.category,
        "level": item.level,
        "kind": item.kind,
        "statutory_days": item.statutory_days,
        "promised_days": item.promised_days,
        "materials": [material_data(m) for m in item.materials],
        "proxyable": item.proxyable,
        "in_person": item.in_person,
        "privacy_sensitive": item.privacy_sensitive,
        "departments": list(item.departments),
        "fee_fen": item.fee_fen,
        "procedure": item.procedure,
        "legal_basis": item.legal_basis,
    }


def _check_name(name: object, what: str) -> None:
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        raise ValidationFailed(f"{what} must be 1-{MAX_NAME} characters")


def _check_days(days: object, what: str) -> None:
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_DAYS:
        raise ValidationFailed(f"{what} must be a whole number of working days from 0 to {MAX_DAYS}")


def _unique(codes: list[str], what: str) -> None:
    duplicates = sorted(code for code, n in Counter(codes).items() if n > 1)
    if duplicates:
        raise ValidationFailed(f"{what} must be unique; repeated: {', '.join(duplicates)}")


@dataclass(frozen=True)
class StoredItem:
    """An item as stored for one tenant (or the template), with its bookkeeping."""

    item: CatalogueItem
    version: int
    updated_at: datetime
    overridden: bool  # the township changed the template's promised limit
    windows: tuple[str, ...] = ()
