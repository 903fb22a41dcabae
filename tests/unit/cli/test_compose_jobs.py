"""The composition root runs the periodic jobs and loops the services declare (ServiceDef.jobs,
ServiceDef.loops): a new service's job needs no line in cli/."""

from __future__ import annotations

import threading

import pytest
from typer.testing import CliRunner

from cli import compose
from cli.main import app
from libs.common.runtime import Job, JobReport, Loop, ServiceDef

RUNTIME = object()  # the jobs here only hand it on


class Proxy:
    """A service-to-be with a periodic job and a loop, as its entrypoints/service.py would declare."""

    def __init__(self, *, trips_fail: bool = False) -> None:
        self.rounds: list[object] = []
        self.looping = threading.Event()
        self.stopped = threading.Event()
        self.trips_fail = trips_fail

    def plan_trips(self, runtime: object) -> JobReport:
        self.rounds.append(runtime)
        return JobReport(f"{len(self.rounds)} trip(s) planned", failed=self.trips_fail)

    def follow_up(self, runtime: object, stop: threading.Event) -> None:
        self.looping.set()
        stop.wait()
        self.stopped.set()

    def definition(self) -> ServiceDef:
        return ServiceDef(
            name="proxy",
            grpc_service_names=(),
            servicers=lambda _runtime: [],
            subscriptions=list,
            jobs=(Job("plan-trips", "plan the proxies' village trips", self.plan_trips, every_seconds=0.01),),
            loops=(Loop("follow-up", self.follow_up),),
        )


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Proxy:
    service = Proxy()
    monkeypatch.setattr(compose, "service_defs", lambda: [service.definition()])
    return service


def test_bianmin_run_runs_the_declared_jobs_and_loops_until_stopped(proxy: Proxy) -> None:
    background = compose.Background()
    compose.start_jobs_and_loops(background, RUNTIME)  # type: ignore[arg-type]
    try:
        assert proxy.looping.wait(5)
        for _ in range(500):
            if len(proxy.rounds) >= 3:
                break
            threading.Event().wait(0.01)
        assert len(proxy.rounds) >= 3 and set(map(id, proxy.rounds)) == {id(RUNTIME)}
        names = {thread.name for thread in background.threads}
        assert names == {"job-retry-failed", "job-plan-trips", "proxy-follow-up"}  # the bus's job too
    finally:
        background.shutdown(timeout=5)
    assert proxy.stopped.is_set()


def test_a_failed_round_is_logged_and_the_next_runs_on_time() -> None:
    calls: list[int] = []

    def flaky(_runtime: object) -> JobReport:
        calls.append(len(calls))
        if len(calls) == 1:
            raise RuntimeError("the database is away")
        return JobReport("ok")

    class Rounds:
        """`stop.wait(every)` that lets three rounds pass, then stops."""

        waits = 0

        def wait(self, every: float) -> bool:
            assert every == 300
            self.waits += 1
            return self.waits > 3

    compose.repeat(Job("sweep", "", flaky, every_seconds=300), RUNTIME, Rounds())  # type: ignore[arg-type]
    assert calls == [0, 1, 2]


def test_bianmin_jobs_runs_one_round_of_a_declared_job(proxy: Proxy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compose, "connect", lambda _settings: RUNTIME)
    result = CliRunner().invoke(app, ["jobs", "plan-trips"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "plan-trips: 1 trip(s) planned\n" and proxy.rounds == [RUNTIME]

    proxy.trips_fail = True  # a round that reports a failure: the CronJob's run fails
    assert CliRunner().invoke(app, ["jobs", "plan-trips"]).exit_code == 1

    unknown = CliRunner().invoke(app, ["jobs", "close-month"])
    assert unknown.exit_code == 2
    assert (
        "plan-trips (plan the proxies' village trips)" in unknown.output and "retry-failed" in unknown.output
    )


def test_two_jobs_of_one_name_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    twice = Proxy().definition()
    monkeypatch.setattr(compose, "service_defs", lambda: [twice, twice])
    with pytest.raises(RuntimeError, match="share a name"):
        compose.jobs()


def test_the_services_declare_the_jobs_the_cronjobs_run() -> None:
    jobs = compose.jobs()
    assert list(jobs) == [
        "retry-failed",
        "sweep-deadlines",
        "plan-trips",
        "close-proxy-month",
        "award-village-stars",
        "close-month",
        "judge-attendance",
        "check-duty-rota",
        "send-digests",
    ]
    assert jobs["close-month"].run_for_month is not None  # `bianmin jobs close-month --month YYYY-MM`
    assert jobs["sweep-deadlines"].every_seconds == 300 and jobs["sweep-deadlines"].office_hours_only
    assert {loop.name for d in compose.service_defs() for loop in d.loops} == {
        "moved-deadlines",
        "dispatcher",
    }


def test_only_a_job_that_takes_a_month_is_given_one() -> None:
    refused = CliRunner().invoke(app, ["jobs", "retry-failed", "--month", "2026-11"])
    assert refused.exit_code == 2 and "takes no --month" in refused.output
