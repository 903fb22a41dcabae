"""A nameko worker process for the messaging tests, started the way a service's worker
entrypoint must start: wait function and monkey-patching before anything imports psycopg.

    python -m tests.integration.common.messaging_worker DB_URL AMQP_URL SERVICE SOURCE EVENT_TYPE...

Its handler is `recording_handler(SERVICE)`; it fails while the file named in the event's
`fail_file` data exists."""

import os

os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_selector")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import logging  # noqa: E402
import sys  # noqa: E402


def main(argv: list[str]) -> None:
    from libs.common import db
    from libs.common.messaging import Envelope, Subscription, WorkerSessions, run_worker
    from libs.common.settings import Settings
    from tests.integration.common.messaging_support import RELAY_ROLE, RUNTIME_ROLE, SCHEMA, recording_handler

    db_url, amqp_url, service, source, *event_types = argv
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    def fail(envelope: Envelope) -> bool:
        path = envelope.data.get("fail_file")
        return bool(path) and os.path.exists(path)

    subscriptions = [
        Subscription(source, event_type, service, recording_handler(service, fail), schema=SCHEMA)
        for event_type in event_types
    ]

    def sessions() -> WorkerSessions:
        return WorkerSessions(
            sessions=db.make_sessions(db.make_engine(db_url, role=RUNTIME_ROLE)),
            ops_sessions=db.make_sessions(db.make_engine(db_url, role=RELAY_ROLE)),
        )

    settings = Settings(consumer_max_attempts=5, consumer_retry_base_seconds=0.2)
    run_worker(service, subscriptions, sessions, amqp_url, settings=settings, retry_interval=0.5)


if __name__ == "__main__":
    main(sys.argv[1:])
