"""Catalogue items and guides between the domain and `bianmin.intake.v1` protos (both ways).

Enums travel as the API's lower-case words: ITEM_CATEGORY_CIVIL_AFFAIRS ↔ "civil_affairs"."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bianmin.intake.v1 import catalogue_pb2 as pb
from bianmin.intake.v1 import events_pb2
from google.protobuf import json_format

from libs.common.grpc.enums import enum_number, enum_word
from services.intake.domain.catalogue import (
    CatalogueItem,
    Material,
    ServiceGuide,
    StoredItem,
    catalogue_item,
    material_data,
)

_ENUMS: dict[str, tuple[Any, str]] = {
    "category": (pb.ItemCategory, "ITEM_CATEGORY_"),
    "level": (pb.HandlingLevel, "HANDLING_LEVEL_"),
    "kind": (pb.ItemKind, "ITEM_KIND_"),
}


def word(field: str, value: int) -> str:
    """The API word of an enum value ("" for UNSPECIFIED or an unknown number)."""
    return enum_word(*_ENUMS[field], value, unknown="")


def number(field: str, value: str) -> int:
    """The enum value of an API word (0, UNSPECIFIED, when it names none)."""
    return enum_number(*_ENUMS[field], value, unknown=0)


def item_from_pb(message: pb.CatalogueItem) -> CatalogueItem:
    """Validates (raises ValidationFailed); an UNSPECIFIED enum is refused by the domain."""
    return catalogue_item(
        {
            "code": message.code,
            "name": message.name,
            "category": word("category", message.category),
            "level": word("level", message.level),
            "kind": word("kind", message.kind),
            "statutory_days": message.statutory_days if message.HasField("statutory_days") else None,
            "promised_days": message.promised_days if message.HasField("promised_days") else None,
            "materials": [material_data(m) for m in message.materials],
            "proxyable": message.proxyable,
            "in_person": message.in_person,
            "privacy_sensitive": message.privacy_sensitive,
            "departments": list(message.departments),
            "fee_fen": message.fee_fen,
            "procedure": message.guide.procedure,
            "legal_basis": message.guide.legal_basis,
        }
    )


def item_to_pb(
    item: CatalogueItem,
    *,
    version: int,
    updated_at: datetime,
    overridden: bool,
    windows: tuple[str, ...] = (),
) -> pb.CatalogueItem:
    message = pb.CatalogueItem(
        code=item.code,
        name=item.name,
        category=number("category", item.category),
        level=number("level", item.level),
        kind=number("kind", item.kind),
        statutory_days=item.statutory_days,
        promised_days=item.promised_days,
        materials=[_material_pb(m) for m in item.materials],
        proxyable=item.proxyable,
        in_person=item.in_person,
        privacy_sensitive=item.privacy_sensitive,
        departments=list(item.departments),
        fee_fen=item.fee_fen,
        guide=guide_to_pb(item.guide(windows)),
        overridden=overridden,
        version=version,
    )
    message.updated_at.FromDatetime(updated_at)
    return message


def stored_item_to_pb(stored: StoredItem) -> pb.CatalogueItem:
    return item_to_pb(
        stored.item,
        version=stored.version,
        updated_at=stored.updated_at,
        overridden=stored.overridden,
        windows=stored.windows,
    )


def item_saved(
    stored: StoredItem, actor: str, clamped_promised_days: int = 0
) -> events_pb2.CatalogueItemSaved:
    return events_pb2.CatalogueItemSaved(
        item=stored_item_to_pb(stored), actor=actor, clamped_promised_days=clamped_promised_days
    )


def template_item_distributed(
    item: Mapping[str, Any], actor: str
) -> events_pb2.CatalogueTemplateItemDistributed:
    """The event handed to each township, from the JSON data of the county's own event."""
    event = events_pb2.CatalogueTemplateItemDistributed()
    json_format.ParseDict({"item": item, "actor": actor}, event, ignore_unknown_fields=True)
    return event


def guide_to_pb(guide: ServiceGuide) -> pb.ServiceGuide:
    return pb.ServiceGuide(
        item_code=guide.item_code,
        item_name=guide.item_name,
        procedure=guide.procedure,
        legal_basis=guide.legal_basis,
        windows=list(guide.windows),
        materials=[_material_pb(m) for m in guide.materials],
        promised_days=guide.promised_days,
        fee_fen=guide.fee_fen,
    )


def _material_pb(m: Material) -> pb.Material:
    return pb.Material(
        code=m.code,
        name=m.name,
        required=m.required,
        originals=m.originals,
        copies=m.copies,
        supply_later=m.supply_later,
    )
