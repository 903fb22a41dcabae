"""What the isolation matrix and the schemathesis run share: a gateway app in process whose
catalogue and case routes reach a real intake, whose notice routes reach a real notify, whose
duty-rota routes reach a real appraisal and whose proxy routes a real proxy (one in-process gRPC
server on the session database), with the edge's rate limits out of the way, and a document-only
app for collection time."""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.orm import sessionmaker

from libs.common import db
from libs.common.grpc.client import ChannelFactory
from libs.common.messaging import consume
from libs.common.messaging.relay import envelope_of_row
from libs.common.runtime import Runtime
from libs.common.settings import Settings
from services.gateway.adapters.service_clients import ServiceClients
from services.gateway.entrypoints.http.app import Gateway, create_app
from tests.integration.gateway.support import DictServices

NO_LIMITS = {
    "http_rate_per_second": 1e6,
    "http_burst": 10**6,
    "http_login_ip_per_minute": 10**6,
    "http_login_user_per_minute": 10**6,
}


class IntakeServices(DictServices):
    """`DictServices` (health and tenant projections from dicts) plus a real intake: the
    catalogue routes call it over gRPC, and its role checks are part of what is tested."""

    def __init__(self, channels: ChannelFactory) -> None:
        super().__init__()
        self._clients = ServiceClients(channels)

    def intake(self):  # type: ignore[no-untyped-def]
        return self._clients.intake()

    def notify(self):  # type: ignore[no-untyped-def]
        return self._clients.notify()

    def appraisal(self):  # type: ignore[no-untyped-def]
        return self._clients.appraisal()

    def proxy(self):  # type: ignore[no-untyped-def]
        return self._clients.proxy()

    def workforce(self):  # type: ignore[no-untyped-def]
        return self._clients.workforce()

    async def aclose(self) -> None:
        await self._clients.aclose()


@contextmanager
def gateway_with_intake(runtime: Runtime, gateway_keys: Any) -> Iterator[FastAPI]:
    """The gateway app with intake served in process. The rate limits are lifted: these tests
    send hundreds of requests a second from one client (the limits have their own tests)."""
    from cli import compose

    issuer, verifier = gateway_keys
    served = ["intake", "notify", "appraisal", "proxy"]
    # the services' own calls (proxy → intake) go to this server too: its port is known once built
    targets: dict[str, str] = {}
    inner = ChannelFactory(targets)
    server, port = compose.grpc_server(
        dataclasses.replace(runtime, channels=inner), served, "127.0.0.1", 0, verifier
    )
    targets.update({name: f"127.0.0.1:{port}" for name in served})
    server.start()
    channels = ChannelFactory({name: f"127.0.0.1:{port}" for name in served})
    unlimited = dataclasses.replace(runtime, settings=runtime.settings.model_copy(update=NO_LIMITS))
    try:
        yield create_app(
            Gateway(runtime=unlimited, issuer=issuer, verifier=verifier, services=IntakeServices(channels))
        )
    finally:
        channels.close()
        inner.close()
        server.stop(grace=None)


def deliver_to_intake(runtime: Runtime, tenants: list[str]) -> None:
    """Hand these townships' gateway events to intake's (and notify's and appraisal's) consumers
    (what the relay does, for these townships only), so that intake knows them and has copied the
    catalogue template, and notify and appraisal know them and their staff."""
    deliver(runtime, "gateway", "intake", tenants)
    deliver(runtime, "gateway", "notify", tenants)
    deliver(runtime, "gateway", "appraisal", tenants)
    deliver(runtime, "gateway", "proxy", tenants)


def deliver(runtime: Runtime, source: str, service: str, tenants: list[str]) -> None:
    """Hand these townships' events of `source` (its outbox) to `service`'s consumers; events
    already consumed are duplicates, which change nothing."""
    module = importlib.import_module(f"services.{service}.entrypoints.service")
    subscriptions = {s.event_type: s for s in module.SERVICE.subscriptions() if s.source == source}
    with db.transaction(runtime.ops_sessions, None) as s:
        rows = s.execute(
            sa.text(f'SELECT * FROM "{source}".outbox WHERE tenant_id = ANY(:t) ORDER BY id'), {"t": tenants}
        ).all()
    for row in rows:
        if row.event_type in subscriptions:
            outcome = consume(envelope_of_row(row), subscriptions[row.event_type], runtime.sessions)
            assert outcome in ("processed", "duplicate"), (row.event_type, outcome)


def document_app() -> FastAPI:
    """An app for its OpenAPI document only, at collection time: settings and a session factory
    bound to nothing (building the app connects nothing)."""
    runtime = SimpleNamespace(settings=Settings(), sessions=sessionmaker())
    return create_app(Gateway(runtime=runtime, issuer=None, verifier=None, services=None))  # type: ignore[arg-type]
