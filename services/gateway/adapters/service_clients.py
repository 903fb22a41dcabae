"""The gateway's view of the other services over gRPC (stubs and health).

Every call is awaited on the event loop (`grpc.aio` channels, `ChannelFactory.aio_channel`): an
endpoint that only calls a service needs no thread of FastAPI's pool, whose hand-over cost about
a fifth of the gateway's CPU per request. So an endpoint that calls a service is `async`, and
runs what blocks (the gateway's own database) with `run_in_threadpool`."""

from __future__ import annotations

import functools
import importlib

import grpc

from libs.common.errors import NotFound
from libs.common.grpc.client import ChannelFactory, aio_serving, status_to_error
from libs.common.tenancy import tenant_scope


@functools.cache
def _modules(service: str):  # type: ignore[no-untyped-def]
    pb = importlib.import_module(f"bianmin.{service}.v1.{service}_service_pb2")
    pb_grpc = importlib.import_module(f"bianmin.{service}.v1.{service}_service_pb2_grpc")
    return pb, getattr(pb_grpc, f"{service.capitalize()}ServiceStub")


@functools.cache
def _workforce_stub_class():  # type: ignore[no-untyped-def]
    """WorkforceService is served by the appraisal process (its channel), beside AppraisalService."""
    return importlib.import_module("bianmin.appraisal.v1.workforce_service_pb2_grpc").WorkforceServiceStub


class ServiceClients:
    def __init__(self, channels: ChannelFactory) -> None:
        self.channels = channels
        # a stub per channel (stubs are cheap but not free: making one per call was a measurable
        # part of every request), made again when its channel is
        self._stubs: dict[str, tuple[object, object]] = {}

    def _stub(self, service: str, key: str = "", stub_class=None):  # type: ignore[no-untyped-def]
        channel = self.channels.aio_channel(service)
        key = key or service
        made = self._stubs.get(key)
        if made is None or made[0] is not channel:
            made = self._stubs[key] = (channel, (stub_class or _modules(service)[1])(channel))
        return made[1]

    async def knows_tenant(self, service: str, tenant: str) -> bool:
        """Has `service` recorded the township yet? (its projection of `township_onboarded`)."""
        pb = _modules(service)[0]
        stub = self._stub(service)
        try:
            with tenant_scope(tenant):
                await stub.GetTenant(pb.GetTenantRequest())
        except grpc.RpcError as exc:
            error = status_to_error(exc)
            if isinstance(error, NotFound):
                return False
            raise error from exc
        return True

    def intake(self):  # type: ignore[no-untyped-def]
        """An IntakeService stub whose calls are awaited; call it inside `acting_as(token)` (and
        `tenant_scope(tenant)` for tenant calls) so the caller's token and tenant travel as
        metadata."""
        return self._stub("intake")

    def appraisal(self):  # type: ignore[no-untyped-def]
        """An AppraisalService stub (rulebooks, scores, appeals, …); called like `intake()`."""
        return self._stub("appraisal")

    def proxy(self):  # type: ignore[no-untyped-def]
        """A ProxyService stub (agents, households, delegations, trips …); called like `intake()`."""
        return self._stub("proxy")

    def workforce(self):  # type: ignore[no-untyped-def]
        """A WorkforceService stub on appraisal's channel (attendance, leave, the duty rota);
        called like `intake()`."""
        return self._stub("appraisal", "workforce", _workforce_stub_class())

    def notify(self):  # type: ignore[no-untyped-def]
        """A NotifyService stub (notices, notifications, the inbox); called like `intake()`."""
        return self._stub("notify")

    async def healthy(self, service: str) -> bool:
        name = f"bianmin.{service}.v1.{service.capitalize()}Service"
        return await aio_serving(self.channels.aio_channel(service), name)

    async def aclose(self) -> None:
        """Close the channels of the running event loop (the app's shutdown)."""
        self._stubs.clear()
        await self.channels.aclose()
