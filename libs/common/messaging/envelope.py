"""The event envelope: what every event on the bus looks like, whatever carries it.

On RabbitMQ the envelope is the plain JSON body nameko hands to an `@event_handler`
(stack.md §2.6): per-message ids live in the body, never in AMQP headers (nameko re-sends every
header it received on the next dispatch). The trace context travels twice: in `headers` inside
the body (what the consumer reads) and as AMQP application headers (for tooling).

Tenant scope: `tenant_id` is the township the event belongs to (`<county>.<township>`), or the
county scope `<county>.*` for county-wide events (a calendar change, a rulebook). It is never
empty or None: the outbox, inbox and failed_event rows carry it under row-level security, and
`tenant_id = current_setting('app.tenant_id')` cannot match NULL. A consumer's transaction is
scoped to exactly that value, so a county-wide event is recorded under `<county>.*`.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from google.protobuf import json_format
from google.protobuf.message import Message

from libs.common.tenancy import TENANT_CODE_PATTERN, TENANT_RE

COUNTY_SCOPE_RE = re.compile(rf"^({TENANT_CODE_PATTERN})\.\*\Z")
EVENT_TYPE_RE = re.compile(r"^[a-z][a-z0-9_]*\Z")
SCHEMA_VERSION = 1
M = TypeVar("M", bound=Message)


def county_scope(county: str) -> str:
    """The tenant id under which county-wide events (and their inbox rows) are stored."""
    return f"{county}.*"


def is_county_scope(tenant_id: str) -> bool:
    return bool(COUNTY_SCOPE_RE.match(tenant_id))


def validate_event_tenant(tenant_id: object) -> str:
    """A township id or a county scope `<county>.*`; anything else is refused."""
    if isinstance(tenant_id, str) and (TENANT_RE.match(tenant_id) or COUNTY_SCOPE_RE.match(tenant_id)):
        return tenant_id
    raise ValueError(f"an event's tenant must be '<county>.<township>' or '<county>.*', got {tenant_id!r}")


def event_type_of(message: Message | type[Message]) -> str:
    """snake_case of a protobuf message's name: TownshipOnboarded -> township_onboarded."""
    name = message.DESCRIPTOR.name
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return name.lower()


def data_of(message: Message) -> dict[str, Any]:
    """The event data of a protobuf message (field names as in the .proto)."""
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def message_of(data: dict[str, Any], cls: type[M]) -> M:
    """The protobuf message of an event's data (`data_of` backwards); fields a newer producer
    added are ignored, so an old consumer keeps working."""
    return json_format.ParseDict(data, cls(), ignore_unknown_fields=True)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Envelope:
    event_id: str
    event_type: str
    source: str
    tenant_id: str
    occurred_at: datetime
    schema_version: int = SCHEMA_VERSION
    data: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        uuid.UUID(self.event_id)  # raises ValueError when malformed
        if not EVENT_TYPE_RE.match(self.event_type):
            raise ValueError(f"event_type must be snake_case: {self.event_type!r}")
        if not self.source:
            raise ValueError("an event needs its source service")
        validate_event_tenant(self.tenant_id)
        if self.occurred_at.tzinfo is None:
            raise ValueError("occurred_at must be timezone-aware")

    @classmethod
    def new(
        cls,
        *,
        source: str,
        event_type: str,
        tenant_id: str,
        data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        occurred_at: datetime | None = None,
    ) -> Envelope:
        return cls(
            event_id=str(uuid.uuid4()),
            event_type=event_type,
            source=source,
            tenant_id=tenant_id,
            occurred_at=occurred_at or _now(),
            data=dict(data or {}),
            headers=dict(headers or {}),
        )

    @property
    def county_wide(self) -> bool:
        return is_county_scope(self.tenant_id)

    @property
    def township(self) -> str | None:
        """The township of a township event; None for a county-wide one."""
        return None if self.county_wide else self.tenant_id

    @property
    def county(self) -> str:
        return self.tenant_id.split(".", 1)[0]

    def to_body(self) -> dict[str, Any]:
        """The JSON body published on the bus (a plain dict, nameko's `json` serializer)."""
        return {
            "event_id": self.event_id,
            "event_type": self.event_type,
            "source": self.source,
            "tenant_id": self.tenant_id,
            "occurred_at": self.occurred_at.isoformat(),
            "schema_version": self.schema_version,
            "data": self.data,
            "headers": self.headers,
        }

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> Envelope:
        if not isinstance(body, dict):
            raise ValueError(f"an event body must be a JSON object, got {type(body).__name__}")
        occurred_at = body["occurred_at"]
        if isinstance(occurred_at, str):
            occurred_at = datetime.fromisoformat(occurred_at)
        return cls(
            event_id=str(body["event_id"]),
            event_type=body["event_type"],
            source=body["source"],
            tenant_id=body["tenant_id"],
            occurred_at=occurred_at,
            schema_version=int(body.get("schema_version", SCHEMA_VERSION)),
            data=dict(body.get("data") or {}),
            headers={str(k): str(v) for k, v in (body.get("headers") or {}).items()},
        )
