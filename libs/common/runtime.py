"""What a service needs at run time, and how a service describes itself to the composition roots.

A `ServiceDef` is the whole surface of a service: its gRPC servicers and the events it consumes
(periodic jobs are `bianmin jobs` commands). The CLI composes them — all five in one process
(`bianmin run`) or one role of one service per process (`bianmin serve intake api|worker|relay`)
— so both modes run the same code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from libs.common import db, sealing
from libs.common.settings import Settings


@dataclass
class Runtime:
    """Connections of one process for one service (nothing connects before `connect`)."""

    settings: Settings
    database_url: str
    sessions: sessionmaker[Session]  # runtime role: row-level security applies
    ops_sessions: sessionmaker[Session]  # relay/ops role: crosses tenants by design (relay, dead letters)
    channels: Any = None  # libs.common.grpc.client.ChannelFactory, for services that call others

    @classmethod
    def connect(
        cls, settings: Settings, database_url: str, channels: Any = None, *, pool_size: int = 5
    ) -> Runtime:
        """`pool_size`: runtime connections kept open (a worker: one per concurrent event)."""
        runtime = cls(
            settings=settings,
            database_url=database_url,
            sessions=db.make_sessions(
                db.make_engine(database_url, role=settings.db_runtime_role, pool_size=pool_size)
            ),
            ops_sessions=db.make_sessions(
                db.make_engine(database_url, role=settings.db_relay_role, pool_size=2)
            ),
            channels=channels,
        )
        # the deployment's seal keys reach the code that only sees a session (intake's events,
        # notify's handlers) through the sessions; read on first use
        sealer = sealing.Sealer.deferred(settings)
        sealing.attach(runtime.sessions, sealer)
        sealing.attach(runtime.ops_sessions, sealer)
        return runtime


GrpcRegistration = tuple[Callable[[Any, Any], None], Any]  # (add_XServicer_to_server, servicer)


@dataclass(frozen=True)
class ServiceDef:
    name: str
    grpc_service_names: tuple[str, ...]
    servicers: Callable[[Runtime], list[GrpcRegistration]]
    subscriptions: Callable[[], list[Any]]  # list[libs.common.messaging.Subscription]
