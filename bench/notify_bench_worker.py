"""The nameko worker of the notify benchmark, started as a service's worker must start:
psycopg's wait function and eventlet's monkey-patching before anything imports psycopg.

    python -m bench.notify_bench_worker DB_URL AMQP_URL SOURCE SERVICE"""

import os

os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_selector")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import logging  # noqa: E402
import sys  # noqa: E402


def main(argv: list[str]) -> None:
    from bench.notify_bench import RELAY_ROLE, RUNTIME_ROLE, subscription
    from libs.common import db
    from libs.common.messaging import WorkerSessions, run_worker
    from libs.common.settings import Settings

    db_url, amqp_url, source, service = argv
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    settings = Settings()  # BIANMIN_WORKER_MAX_WORKERS, as `serve notify worker` reads it
    pool_size = settings.worker_max_workers  # as serve_worker sizes Runtime.connect's pool

    def sessions() -> WorkerSessions:
        return WorkerSessions(
            sessions=db.make_sessions(db.make_engine(db_url, role=RUNTIME_ROLE, pool_size=pool_size)),
            ops_sessions=db.make_sessions(db.make_engine(db_url, role=RELAY_ROLE)),
        )

    run_worker(service, [subscription(source, service)], sessions, amqp_url, settings=settings)


if __name__ == "__main__":
    main(sys.argv[1:])
