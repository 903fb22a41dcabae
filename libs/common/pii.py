"""Personal-data masking for logs and lists (DOMAIN.md §11): applicant name, phone, ID number and
address are shown as 张**, 138****5678, 4501**********1234 and 南宁市青秀区新竹街道****.

Every function is total: empty or None values pass through unchanged, and anything that does not
look like what the function expects is masked conservatively (more rather than less) instead of
raising. Masking is idempotent: masking a masked value gives the same value back."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "mask_address",
    "mask_email",
    "mask_id_number",
    "mask_mapping",
    "mask_name",
    "mask_phone",
    "mask_text",
    "mask_value",
    "is_personal_field",
]

STAR = "*"
TAIL = "****"  # fixed-length mask for free-form tails (does not reveal their length)

# --------------------------------------------------------------------------------------------------
# single values


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def mask_name(name: Any) -> Any:
    """Keep the first character, star the rest: 张三丰 → 张**, John Smith → J*** *****.

    A one-character name is starred entirely (keeping it would reveal all of it)."""
    if _blank(name):
        return name
    s = str(name).strip()
    if len(s) == 1:
        return STAR
    return s[0] + "".join(c if c.isspace() else STAR for c in s[1:])


_PHONE_PREFIX_RE = re.compile(r"^\s*(?:\+\s*86|0086)(?=[\s\-().]*\d)[\s\-().]*")


def _mask_phone_digits(d: str) -> str:
    n = len(d)
    if n == 11 and d[0] == "1":  # mobile: 138****5678
        return d[:3] + STAR * 4 + d[-4:]
    if d[0] == "0" and 10 <= n <= 12:  # landline with area code: 010 / 02x are 3 digits, else 4
        area = 3 if d[1] in "12" else 4
        return d[:area] + "-" + STAR * (n - area - 4) + d[-4:]
    if n >= 7:  # local number or something else: keep only the last four
        return STAR * (n - 4) + d[-4:]
    return STAR * n


def mask_phone(phone: Any) -> Any:
    """13812345678 → 138****5678; +86 138-1234-5678 → +86 138****5678;
    0771-5551234 → 0771-***1234; short or odd values are starred entirely."""
    if _blank(phone):
        return phone
    s = str(phone).strip()
    prefix = ""
    m = _PHONE_PREFIX_RE.match(s)
    if m:
        prefix, s = "+86 ", s[m.end() :]
    if STAR in s and re.fullmatch(r"[\d*\-]+", s):  # already masked
        return prefix + s
    if re.search(r"[^\d\s\-().+/]", s):  # letters, extensions …: not a number we understand
        return TAIL
    digits = re.sub(r"\D", "", s)
    if len(digits) < 7:
        return prefix + STAR * max(len(digits), 4)
    return prefix + _mask_phone_digits(digits)


def mask_id_number(id_number: Any) -> Any:
    """Resident ID card numbers: 18 digits (last may be X) → 4501**********1234,
    15 digits → 4501*******1234. Anything else keeps at most its last two characters."""
    if _blank(id_number):
        return id_number
    s = re.sub(r"[\s\-]", "", str(id_number)).upper()
    if re.fullmatch(r"\d{17}[\dX]|\d{15}", s):
        return s[:4] + STAR * (len(s) - 8) + s[-4:]
    if STAR in s and re.fullmatch(r"[\dX*]+", s):  # already masked
        return s
    if len(s) >= 8:
        return STAR * (len(s) - 2) + s[-2:]
    return STAR * max(len(s), 4)


# administrative levels: province, prefecture, county, township (the prefix kept by mask_address)
_CJK = r"[\u4e00-\u9fff]"
_ADDRESS_LEVELS = [
    re.compile(_CJK + r"{1,12}?(?:特别行政区|自治区|省)"),
    re.compile(_CJK + r"{1,10}?(?:自治州|地区|(?<![超门集夜贸])市|州|盟)"),
    re.compile(_CJK + r"{1,10}?(?:自治县|自治旗|县|(?<![小社园景校厂矿营])区|(?<![超门集夜贸])市|旗)"),
    re.compile(_CJK + r"{1,8}?(?:街道|镇|乡|苏木)"),
]


def mask_address(address: Any) -> Any:
    """Keep the administrative prefix down to the county/township level and mask the rest:
    广西壮族自治区南宁市青秀区新竹街道民族大道100号 → 广西壮族自治区南宁市青秀区新竹街道****.

    An address with no recognisable prefix is masked entirely."""
    if _blank(address):
        return address
    s = str(address).strip()
    pos = 0
    for level in _ADDRESS_LEVELS:
        m = level.match(s, pos)
        if m:
            pos = m.end()
    if pos == 0:
        return TAIL
    rest = s[pos:]
    if not rest or rest == TAIL:
        return s
    return s[:pos] + TAIL


def mask_email(email: Any) -> Any:
    """Keep the first character of the local part and the domain: zhangsan@example.com →
    z***@example.com. Something that is not an address is masked entirely."""
    if _blank(email):
        return email
    s = str(email).strip()
    local, at, domain = s.rpartition("@")
    if not at or not local or not domain:
        return TAIL
    if local.endswith("***"):  # already masked
        return s
    return (local[0] if len(local) > 1 else "") + "***@" + domain


# --------------------------------------------------------------------------------------------------
# free text (log messages)

_ID_IN_TEXT = re.compile(r"(?<!\d)(?:\d{17}[\dXx]|\d{15})(?!\d)")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(\+86[\s\-]?|0086[\s\-]?)?(1[3-9]\d)[\s\-]?(\d{4})[\s\-]?(\d{4})(?!\d)")
_EMAIL_IN_TEXT = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_LANDLINE_IN_TEXT = re.compile(r"(?<![\d\-])(0\d{2,3})-(\d{7,8})(?![\d\-])")


def mask_text(text: Any) -> Any:
    """Mask ID numbers, phone numbers (mobile, landline with area code) and e-mail addresses
    inside free text."""
    if not isinstance(text, str) or not text:
        return text
    try:
        text = _EMAIL_IN_TEXT.sub(lambda m: mask_email(m.group(0)), text)
        text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text)
        text = _MOBILE_IN_TEXT.sub(
            lambda m: ("+86 " if m.group(1) else "") + m.group(2) + STAR * 4 + m.group(4), text
        )
        return _LANDLINE_IN_TEXT.sub(
            lambda m: m.group(1) + "-" + STAR * (len(m.group(2)) - 4) + m.group(2)[-4:], text
        )
    except Exception:  # pragma: no cover - regex substitution on a str does not fail
        return TAIL


# --------------------------------------------------------------------------------------------------
# field names


_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _norm(field: Any) -> str:
    return _CAMEL_RE.sub("_", str(field)).lower().replace("-", "_").strip("_")


_NAME_FIELDS = frozenset(
    {
        "citizen_name",
        "applicant_name",
        "contact_name",
        "contact_person",
        "full_name",
        "real_name",
        "person_name",
        "holder_name",
        "complainant_name",
        "petitioner_name",
        "requester_name",
        "resident_name",
        "legal_representative",
        "guardian_name",
    }
)
_PHONE_SUFFIXES = ("phone", "mobile", "telephone", "tel", "phone_number", "mobile_number", "phone_no")
_ID_SUFFIXES = (
    "id_number",
    "id_no",
    "id_card",
    "idcard",
    "id_card_number",
    "idcard_number",
    "identity_number",
    "identity_card",
    "id_card_no",
    "citizen_id_number",
    "sfzh",
)
_ADDRESS_SUFFIXES = ("address", "addr", "home_address", "residence")
_EMAIL_SUFFIXES = ("email", "e_mail", "email_address", "mail_address")
# keys whose value is a person (a mapping of their details, or just their name)
_PERSON_CONTAINERS = frozenset(
    {
        "applicant",
        "applicants",
        "citizen",
        "citizens",
        "contact",
        "contacts",
        "complainant",
        "petitioner",
        "requester",
        "resident",
        "person",
        "holder",
        "guardian",
        "client",
    }
)
# plain keys that are personal only inside a person container
_NAME_IN_PERSON = frozenset({"name", "display_name", "given_name", "family_name", "surname"})


def _kind(field: Any, in_person: bool = False) -> str | None:
    """Which masker a field name calls for: name/phone/id/address/email/person, or None."""
    f = _norm(field)
    if f in _PERSON_CONTAINERS:
        return "person"
    if f in _NAME_FIELDS or (in_person and f in _NAME_IN_PERSON):
        return "name"
    if f.endswith(_ID_SUFFIXES) or (in_person and f in ("id", "number", "card")):
        return "id"
    if f.endswith(_PHONE_SUFFIXES) or f in ("tel", "mobile"):
        return "phone"
    if f.endswith(_EMAIL_SUFFIXES):  # before address: "email_address" is an e-mail, not a place
        return "email"
    if f.endswith(_ADDRESS_SUFFIXES):
        return "address"
    return None


def is_personal_field(field: Any) -> bool:
    return _kind(field) is not None


def _mask_person_string(s: str) -> str:
    """A bare string standing for a person (`applicant: "张三丰"`, `contact: "138…"`)."""
    t = s.strip()
    if re.fullmatch(r"\d{17}[\dXx]|\d{15}", t):
        return mask_id_number(t)
    if re.fullmatch(r"[\d\s\-+()]{7,}", t):
        return mask_phone(t)
    return mask_name(t)  # a name, or "张三 13812345678": keeps only the first character


_MASKERS = {
    "name": mask_name,
    "phone": mask_phone,
    "id": mask_id_number,
    "address": mask_address,
    "email": mask_email,
}


def _mask_as(kind: str, value: Any) -> Any:
    if _blank(value):
        return value
    if isinstance(value, Mapping):
        return mask_mapping(value, _in_person=True)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_mask_as(kind, v) for v in value]
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if kind == "person":
        return _mask_person_string(str(value))
    try:
        return _MASKERS[kind](value)
    except Exception:  # never raise on odd input
        return TAIL


def mask_value(field_name: Any, value: Any) -> Any:
    """Mask `value` by what `field_name` says it is (phone, id_number, address, citizen_name,
    applicant, `name` …); values of other fields pass through (strings get `mask_text`)."""
    if _blank(value):
        return value
    kind = _kind(field_name) or ("name" if _norm(field_name) in _NAME_IN_PERSON else None)
    if kind is None:
        if isinstance(value, Mapping):
            return mask_mapping(value)
        if isinstance(value, (list, tuple)):
            return [mask_value(field_name, v) for v in value]
        return mask_text(value) if isinstance(value, str) else value
    return _mask_as(kind, value)


def mask_mapping(data: Any, *, _in_person: bool = False) -> Any:
    """A copy of `data` with the personal fields masked, recursively through mappings and lists.

    `name` (and `id`, `number`) count as personal only inside a person (`applicant`, `citizen`,
    `contact` …), so `{"item": {"name": "户籍证明"}}` is left alone. Other strings are scanned for
    phone and ID numbers."""
    if isinstance(data, Mapping):
        out: dict[Any, Any] = {}
        for key, value in data.items():
            kind = _kind(key, in_person=_in_person) if isinstance(key, str) else None
            if kind is not None:
                out[key] = _mask_as(kind, value)
            else:
                out[key] = mask_mapping(value, _in_person=_in_person)
        return out
    if isinstance(data, (list, tuple)):
        return [mask_mapping(v, _in_person=_in_person) for v in data]
    if isinstance(data, str):
        return mask_text(data)
    return data
