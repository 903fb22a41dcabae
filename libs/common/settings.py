"""Typed settings, read from `BIANMIN_*` environment variables (every one is in the README)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("gateway", "intake", "proxy", "appraisal", "notify")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BIANMIN_", extra="ignore")

    # where things are
    database_url: str | None = Field(
        None, description="PostgreSQL URL; empty = embedded PostgreSQL in the data directory"
    )
    amqp_url: str | None = Field(None, description="RabbitMQ URL; empty = in-process bus (all-in-one)")
    data_dir: Path = Field(Path("./var"), description="all-in-one data (embedded PostgreSQL, keys)")
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    grpc_host: str = "127.0.0.1"
    grpc_port: int = Field(50051, description="port of a service's gRPC API (distributed mode)")
    grpc_targets: str = Field(
        "",
        description="where the gateway finds each service: 'intake=host:port,proxy=host:port,…'"
        " (empty: 127.0.0.1 on grpc_port+offset, or in-process in all-in-one)",
    )
    metrics_port: int = Field(
        9100, description="Prometheus /metrics port of a process (bound like the API); 0 = off"
    )
    metrics_host: str = Field("", description="address /metrics binds to; empty = where the HTTP API binds")
    run_intake_process: bool = Field(
        True,
        description="bianmin run: intake's gRPC API in a child process of its own (false: all in one)",
    )
    parent_pid: int = Field(
        0, description="set by bianmin run for its children (intake API, workers): they stop when it is gone"
    )

    # the gateway's HTTP edge (limits are per gateway replica: token buckets in process memory)
    trusted_proxies: str = Field(
        "",
        description="comma-separated addresses (or '*') of the proxies whose X-Forwarded-For names the"
        " client; empty = none, the peer's address is the client's",
    )
    http_rate_per_second: float = Field(20.0, description="requests per second per client IP and per user")
    http_burst: int = Field(100, description="requests a client IP or a user may make at once")
    http_login_ip_per_minute: int = Field(30, description="login attempts per minute per client IP")
    http_login_user_per_minute: int = Field(10, description="login attempts per minute per username")
    http_max_body_bytes: int = Field(1024 * 1024, description="largest request body accepted (413 above)")
    http_cors_origins: str = Field("", description="comma-separated origins allowed by CORS; empty = no CORS")
    http_hsts: bool = Field(False, description="send Strict-Transport-Security (the gateway is behind TLS)")
    onboard_wait_seconds: float = Field(
        3.0,
        ge=0,
        description="POST /v1/townships answers once every service has recorded the township, or after"
        " this long (0: at once)",
    )

    # the county this deployment runs
    county: str = Field("demo:示范县", description="'<code>:<name>' of the county")
    timezone: str = "Asia/Shanghai"
    bootstrap_admin: str | None = Field(
        None, description="'<username>:<password>' of the first county_admin (created if absent)"
    )

    # database roles (row-level security applies to the runtime role, never to the owner)
    db_runtime_role: str = "bianmin_app"
    db_relay_role: str = "bianmin_relay"

    # tokens: the gateway signs with a private key, every service verifies with the public keys
    jwt_key_dir: Path | None = Field(
        None,
        description="folder of '<kid>.pem' private keys (gateway) and/or '<kid>.pub.pem' public keys;"
        " empty = <data_dir>/keys, generated on first start",
    )
    jwt_active_kid: str | None = Field(None, description="kid that signs new tokens; empty = newest key")
    jwt_issuer: str = "bianmin"
    token_ttl_seconds: int = 900
    session_idle_seconds: int = Field(
        43_200,
        description="a session ends when its refresh token goes unused this long (log in again);"
        " refreshing never keeps a session beyond 7 days from its login",
    )

    # sealed personal data on the bus (libs/common/sealing.py)
    seal_keys: str = Field(
        "",
        description="comma-separated Fernet keys sealing the applicant contact on the bus (first seals,"
        " all open); empty = <data_dir>/seal.keys, generated on first start",
    )
    notice_template_dir: Path | None = Field(
        None, description="county notice templates: <dir>/<locale>/<kind>.j2 replaces the shipped one"
    )
    notice_font: str = Field(
        "",
        description="TrueType fonts embedded in printed notices, separated by ':' (the first sets the"
        " text, the others the characters it lacks); empty = the Debian fonts searched for",
    )

    # bus
    relay_batch_size: int = 200
    relay_idle_seconds: float = 0.2
    consumer_max_attempts: int = 5
    consumer_retry_base_seconds: float = 1.0
    worker_max_workers: int = Field(
        10,
        ge=1,
        description="batches a worker process handles at once (nameko max_workers);"
        " its database pool keeps as many connections",
    )
    worker_batch_size: int = Field(
        100,
        ge=1,
        description="events of one queue a worker handles together: one transaction per tenant"
        " and batch (prefetch = max_workers × batch size)",
    )
    worker_batch_wait_seconds: float = Field(
        0.02,
        gt=0,
        description="how long a worker waits for a batch to fill before it handles what it has",
    )

    # notify: channels and delivery (services/notify/adapters/{sms,email}.py, service_layer/delivery.py)
    sms_url: str = Field("", description="base URL of the SMS provider's HTTP API; empty = SMS channel off")
    sms_api_key: SecretStr | None = Field(None, description="bearer key for the SMS provider (a secret)")
    sms_timeout_seconds: float = 10.0
    sms_rate_per_tenant: float = Field(5.0, description="SMS a second per township; 0 = no limit")
    sms_receipt_poll_seconds: float = Field(30.0, description="how often a sent SMS's receipt is polled")
    smtp_host: str = Field("", description="SMTP server for e-mail; empty = e-mail channel off")
    smtp_port: int = 25
    smtp_from: str = "bianmin@localhost"
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = 10.0
    smtp_ca_file: str | None = Field(None, description="CA bundle to verify the SMTP server (STARTTLS)")
    notify_max_attempts: int = Field(8, description="tries of a notification before it is dead-lettered")
    notify_retry_base_seconds: float = Field(30.0, description="back-off base (doubles per failed try)")
    notify_retry_cap_seconds: float = Field(3600.0, description="longest back-off between tries")
    notify_retry_jitter: float = Field(0.2, description="back-off spread, a fraction (0.2 = ±20 %)")
    notify_batch_size: int = 50
    notify_idle_seconds: float = 1.0
    notify_lease_seconds: float = Field(300.0, description="how long a dispatcher holds a claimed row")

    # observability
    log_level: str = "INFO"
    log_json: bool = True
    otlp_endpoint: str | None = Field(None, description="OTLP/HTTP traces endpoint; empty = tracing off")

    @property
    def key_dir(self) -> Path:
        return self.jwt_key_dir or self.data_dir / "keys"

    @property
    def cors_origins(self) -> list[str]:
        return [o.strip() for o in self.http_cors_origins.split(",") if o.strip()]

    @property
    def county_code(self) -> str:
        return self.county.split(":", 1)[0]

    @property
    def county_name(self) -> str:
        code, _, name = self.county.partition(":")
        return name or code

    def grpc_target(self, service: str) -> str:
        """Where a service's gRPC API listens, from `grpc_targets` or the port convention."""
        for pair in filter(None, (p.strip() for p in self.grpc_targets.split(","))):
            name, _, target = pair.partition("=")
            if name.strip() == service:
                return target.strip()
        return f"{self.grpc_host}:{self.grpc_port + SERVICES.index(service)}"
