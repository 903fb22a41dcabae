"""What proxy knows of intake (its catalogue item, a delegation's case): plain facts the service
layer asks intake for over gRPC (adapters/intake_client.py) and decides on. Pure."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ItemFacts:
    """An item of the township's catalogue as far as proxying goes."""

    code: str
    level: str  # village | township | county (the lowest level that decides it)
    proxyable: bool  # 可代办
    in_person: bool  # 需本人到场: the agent accompanies instead
    privacy_sensitive: bool  # 涉及个人隐私: never proxied
    fee_fen: int  # the statutory fee
    required_materials: tuple[str, ...]  # required and not to be supplied after acceptance
    name: str = ""  # the catalogue's name (printed on the implementation card)


@dataclass(frozen=True)
class CaseRef:
    """A case of intake: its id, number, state (intake's word) and version."""

    id: str
    number: str
    state: str
    version: int
