"""`python -m bench`'s command line: a typo stops it before anything is seeded or started."""

from __future__ import annotations

import os

import pytest

from bench.__main__ import BENCHES, _selected


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("BIANMIN_BENCH_CASES", "BIANMIN_BENCH_SECONDS", "BIANMIN_BENCH_CLIENTS"):
        monkeypatch.delenv(variable, raising=False)


def test_no_name_runs_every_benchmark() -> None:
    assert _selected([]) == BENCHES


def test_names_pick_benchmarks_and_flags_become_the_environment() -> None:
    assert _selected(["notify", "--cases", "200", "intake", "--seconds=5"]) == [
        "bench.notify_bench",
        "bench.intake_bench",
    ]
    assert os.environ["BIANMIN_BENCH_CASES"] == "200"
    assert os.environ["BIANMIN_BENCH_SECONDS"] == "5"
    assert "BIANMIN_BENCH_CLIENTS" not in os.environ


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["intak"], "no benchmark named intak; choose from calendar, intake, notify"),
        (["--cases", "ten"], "'ten' is not a whole number above zero"),
        (["--clients", "0"], "'0' is not a whole number above zero"),
        (["--cases"], "expected one argument"),
        (["--count", "5"], "unrecognized arguments: --count"),
    ],
)
def test_bad_arguments_stop_with_a_message_and_set_nothing(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        _selected(args)
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err
    assert not any(variable.startswith("BIANMIN_BENCH_") for variable in os.environ)


def test_help_prints_the_usage_and_runs_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        _selected(["--help"])
    assert stopped.value.code == 0
    assert "usage: python -m bench" in capsys.readouterr().out
