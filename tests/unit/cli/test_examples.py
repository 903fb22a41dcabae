"""The example files under examples/ (the README's formats) load through the real parsers, say
what the README says they say, and are what examples/make_xlsx.py writes — so they cannot rot."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import pytest

from cli.client import catalogue_file, households_file
from libs.common import onboarding_file

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
ONBOARDING = sorted((EXAMPLES / "onboarding").iterdir())
CATALOGUES = sorted((EXAMPLES / "catalogue").iterdir())
HOUSEHOLDS = sorted((EXAMPLES / "households").iterdir())


def _make_xlsx():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_xlsx", EXAMPLES / "make_xlsx.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _bytes(book) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_there_are_onboarding_and_catalogue_examples() -> None:
    assert {p.name for p in ONBOARDING} == {"townships.yaml", "townships.xlsx"}
    assert {p.name for p in CATALOGUES} == {"catalogue.xlsx"}
    assert {p.name for p in HOUSEHOLDS} == {"households.yaml", "households.xlsx"}


@pytest.mark.parametrize("path", HOUSEHOLDS, ids=lambda p: p.name)
def test_every_households_example_loads(path: Path) -> None:
    _, households = households_file.read(path)
    assert len(households) == 6 and sum(bool(h.body["flags"]) for h in households) == 4
    assert households[0].body == {
        "village": "baiyun",
        "group": "nalao",
        "head_name": "黄德福",
        "phone": "13907761201",
        "address": "百云村那劳屯3号",
        "flags": ["wubao", "elderly_alone"],
    }
    assert (
        households[4].body["flags"] == ["disabled", "poor"] and households[4].body["phone"] == "0776-3281205"
    )


def test_the_households_workbook_holds_the_households_of_the_yaml() -> None:
    xlsx = households_file.read(EXAMPLES / "households" / "households.xlsx")[1]
    yaml_ = households_file.read(EXAMPLES / "households" / "households.yaml")[1]
    assert [h.body for h in xlsx] == [h.body for h in yaml_]


@pytest.mark.parametrize("path", ONBOARDING, ids=lambda p: p.name)
def test_every_onboarding_example_loads(path: Path) -> None:
    townships = onboarding_file.load(path)
    napo = next(t for t in townships if t["code"] == "napo")
    assert napo["name"] == "那坡镇"
    baiyun = next(v for v in napo["villages"] if v["code"] == "baiyun")
    assert baiyun == {
        "code": "baiyun",
        "name": "百云村",
        "groups": [{"code": "nalao", "name": "那劳屯"}, {"code": "liuhe", "name": "六合屯"}],
    }


def test_the_onboarding_workbook_holds_the_townships_of_the_yaml() -> None:
    assert onboarding_file.load(EXAMPLES / "onboarding" / "townships.xlsx") == onboarding_file.load(
        EXAMPLES / "onboarding" / "townships.yaml"
    )


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.name)
def test_every_catalogue_example_loads(path: Path) -> None:
    _, items = catalogue_file.read(path)
    pension = next(i for i in items if i["code"] == "shebao_canbao")
    assert pension["name"] == "城乡居民基本养老保险参保登记"
    assert (pension["category"], pension["level"], pension["kind"]) == (
        "social_security",
        "township",
        "registration",
    )
    assert (pension["statutory_days"], pension["promised_days"]) == (20, 5)
    assert [m["code"] for m in pension["materials"]] == ["id_card", "hukou", "form"]
    # two rules the README names: a privacy-sensitive item is never proxied; a fee is in yuan
    dibao = next(i for i in items if i["code"] == "minzheng_dibao")
    assert dibao["privacy_sensitive"] and not dibao["proxyable"]
    assert next(i for i in items if i["code"] == "huji_sfz_huanling")["fee"] == "20"


def test_the_workbooks_are_what_make_xlsx_writes() -> None:
    """Edit the data in examples/make_xlsx.py (or townships.yaml) and run it; never the .xlsx."""
    make = _make_xlsx()
    written = onboarding_file.parse(_bytes(make.onboarding_workbook()), "townships.xlsx")
    assert written == onboarding_file.load(EXAMPLES / "onboarding" / "townships.xlsx")
    written = households_file.parse(_bytes(make.households_workbook()), "households.xlsx")
    assert [h.body for h in written] == [
        h.body for h in households_file.read(EXAMPLES / "households" / "households.xlsx")[1]
    ]
    written = catalogue_file.parse(_bytes(make.catalogue_workbook()))
    assert written == catalogue_file.read(EXAMPLES / "catalogue" / "catalogue.xlsx")[1]
