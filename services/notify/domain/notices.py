"""Written notices to applicants (告知, DOMAIN.md §10): the kinds, which case event yields which
notice, and the verification code printed on each. Pure: no I/O."""

from __future__ import annotations

import re
import secrets

ACCEPTANCE, SUPPLEMENT, REFUSAL, ESCALATION = "acceptance", "supplement", "refusal", "escalation"
EXTENSION, RESULT, SATISFACTION, RETURN = "extension", "result", "satisfaction", "return"
KINDS = (ACCEPTANCE, SUPPLEMENT, REFUSAL, ESCALATION, EXTENSION, RESULT, SATISFACTION, RETURN)

# the case events that oblige a written notice, and which (a completion: the result and the
# request to rate the service)
NOTICES_OF_EVENT: dict[str, tuple[str, ...]] = {
    "case_accepted": (ACCEPTANCE,),
    "case_supplement_requested": (SUPPLEMENT,),
    "case_refused": (REFUSAL,),
    "case_escalated": (ESCALATION,),
    "case_extended": (EXTENSION,),
    "case_completed": (RESULT, SATISFACTION),
    "case_returned": (RETURN,),
}

DEFAULT_LOCALE = "zh-CN"
_LOCALE_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*\Z")

# no 0/O, 1/I/L: read aloud over the phone or typed from paper
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def verification_code() -> str:
    """A random code printed on the notice: who holds the paper can have it checked against the
    one on file (8 symbols of 31: about 40 bits)."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH))


def locale_or_default(locale: object) -> str:
    """A well-formed locale tag (it names a template folder), else zh-CN."""
    if isinstance(locale, str) and _LOCALE_RE.match(locale.strip()):
        return locale.strip()
    return DEFAULT_LOCALE


# the word of a kind in its document number (文号), e.g. 那坡便民受〔2026〕17号
DOCUMENT_WORDS = {
    ACCEPTANCE: "受",
    SUPPLEMENT: "补",
    REFUSAL: "不受",
    ESCALATION: "转",
    EXTENSION: "延",
    RESULT: "结",
    SATISFACTION: "评",
    RETURN: "退",
}


def document_number(township: str, kind: str, year: int, serial: int) -> str:
    """The notice's 文号: the township, the kind's word, the year and the notice's serial among
    the township's notices of that kind and year."""
    return f"{township}便民{DOCUMENT_WORDS.get(kind, '')}〔{year}〕{serial}号"


LEVEL_NAMES = {"county": "县级", "township": "乡镇", "village": "村级", "hall": "便民服务中心"}
OUTCOME_NAMES = {"approved": "准予办理", "denied": "不予办理"}


def chinese_date(year: int, month: int, day: int) -> str:
    return f"{year}年{month}月{day}日"
