"""What a service needs at run time, and how a service describes itself to the composition roots.

A `ServiceDef` is the whole surface of a service: its gRPC servicers, the events it consumes, its
periodic jobs and its loops. The CLI composes them — all five in one process (`bianmin run`) or
one role of one service per process (`bianmin serve intake api|worker|relay`, `bianmin jobs
<name>`) — so both modes run the same code, and a new service's work is declared, not wired."""

from __future__ import annotations

import threading
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
class JobReport:
    """What one round of a job did: a line for the operator; `failed` makes `bianmin jobs` exit 1."""

    line: str
    failed: bool = False


@dataclass(frozen=True)
class Job:
    """A periodic job: one round per `bianmin jobs <name>` (what a Kubernetes CronJob of
    deploy/k8s runs), and a round every `every_seconds` in `bianmin run`. A round is safe to run
    again and at any time: what is done already is not done twice."""

    name: str  # the command's and the CronJob's: unique across services, kept once deployed
    summary: str  # what a round does, for the operator
    run: Callable[[Runtime], JobReport]
    every_seconds: float  # in `bianmin run`; the CronJob has its own schedule
    office_hours_only: bool = False  # a round acts only on townships in their own office hours
    # a job that can be pointed at one month (`bianmin jobs close-month --month YYYY-MM`)
    run_for_month: Callable[[Runtime, str], JobReport] | None = None


@dataclass(frozen=True)
class Loop:
    """Work that runs until `stop` and must run once per deployment (not in every API replica): a
    thread of `bianmin run`, and of the service's relay process in the distributed deployment."""

    name: str
    run: Callable[[Runtime, threading.Event], None]


@dataclass(frozen=True)
class ServiceDef:
    name: str
    grpc_service_names: tuple[str, ...]
    servicers: Callable[[Runtime], list[GrpcRegistration]]
    subscriptions: Callable[[], list[Any]]  # list[libs.common.messaging.Subscription]
    jobs: tuple[Job, ...] = ()
    loops: tuple[Loop, ...] = ()
