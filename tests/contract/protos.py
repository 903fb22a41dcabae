"""Helpers for the contract tests: the proto files compiled to descriptors, without importing
the generated Python code (so these tests judge the .proto sources themselves)."""

from __future__ import annotations

import re
import tempfile
from functools import cache
from pathlib import Path

from google.protobuf import descriptor_pb2

from libs.common import protogen

REPO_ROOT = protogen.REPO_ROOT
PROTO_ROOT = protogen.PROTO_ROOT
SERVICE_PACKAGES = ("gateway", "intake", "proxy", "appraisal", "notify")

# Irregular past participles allowed as the last word of an event name (regular ones end in -ed).
IRREGULAR_PAST = frozenset(
    [
        "Begun",
        "Bound",
        "Broken",
        "Built",
        "Chosen",
        "Cut",
        "Done",
        "Drawn",
        "Found",
        "Frozen",
        "Given",
        "Held",
        "Hidden",
        "Kept",
        "Left",
        "Lost",
        "Made",
        "Met",
        "Overridden",
        "Paid",
        "Put",
        "Read",
        "Rebuilt",
        "Reset",
        "Run",
        "Sent",
        "Set",
        "Shown",
        "Split",
        "Taken",
        "Undone",
        "Withdrawn",
        "Won",
        "Written",
    ]
)
PASCAL_WORD = re.compile(r"[A-Z][a-z0-9]*")
PASCAL_CASE = re.compile(r"^(?:[A-Z][a-z0-9]+)+$")


def event_type(message_name: str) -> str:
    """The bus event type (routing key) of an event message: the snake_case of its name."""
    return "_".join(word.lower() for word in PASCAL_WORD.findall(message_name))


def is_past_tense_name(message_name: str) -> bool:
    words = PASCAL_WORD.findall(message_name)
    if len(words) < 2 or "".join(words) != message_name:
        return False
    last = words[-1]
    return last.endswith("ed") or last in IRREGULAR_PAST


@cache
def descriptor_set() -> descriptor_pb2.FileDescriptorSet:
    """Every proto of proto/ (and what they import) compiled by grpc_tools.protoc."""
    from grpc_tools import protoc

    files = protogen.proto_files()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "set.binpb"
        rc = protoc.main(
            [
                "grpc_tools.protoc",
                f"--proto_path={PROTO_ROOT}",
                f"--proto_path={protogen._well_known_include()}",
                f"--descriptor_set_out={out}",
                "--include_imports",
                *(str(f) for f in files),
            ]
        )
        assert rc == 0, f"protoc failed ({rc})"
        return descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())


def own_files() -> list[descriptor_pb2.FileDescriptorProto]:
    return [f for f in descriptor_set().file if f.name.startswith(f"{protogen.PACKAGE}/")]


def file_named(name: str) -> descriptor_pb2.FileDescriptorProto:
    for f in descriptor_set().file:
        if f.name == name:
            return f
    raise KeyError(name)


def message(file: descriptor_pb2.FileDescriptorProto, name: str) -> descriptor_pb2.DescriptorProto:
    for m in file.message_type:
        if m.name == name:
            return m
    raise KeyError(f"{file.name}: no message {name}")


def messages_by_full_name() -> dict[str, descriptor_pb2.DescriptorProto]:
    return {f".{f.package}.{m.name}": m for f in descriptor_set().file for m in f.message_type}
