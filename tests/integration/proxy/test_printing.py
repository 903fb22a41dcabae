"""The printed forms against the migrated database (services/proxy/service_layer/printing.py,
adapters/pdf.py): a trip day's manifests (one trip a page, the applicants masked, the fonts
embedded) and the implementation card (代办事项落实卡: full names on the agent's own copy only,
the satisfaction and confirmation once recorded); who may print is who may read."""

from __future__ import annotations

import io
import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pypdf
import pytest

from libs.common.errors import Forbidden, NotFound
from libs.common.runtime import Runtime
from services.proxy.domain.delegation import Applicant, Confirmation
from services.proxy.domain.intake_case import ItemFacts
from services.proxy.service_layer import delegations, printing
from tests.integration.proxy.test_delegations_store import (
    ITEMS,
    MONDAY,
    FakeIntake,
    agent,
    create,
    new,
    who,
)
from tests.integration.proxy.test_delegations_store import tenant as _store_tenant  # noqa: F401 - a fixture

pytestmark = pytest.mark.integration


@pytest.fixture
def township(request: pytest.FixtureRequest) -> str:
    """The store tests' township: agents lan, mo (nongli), wei (baiyan), huang (township)."""
    return str(request.getfixturevalue("_store_tenant"))


class NamingIntake(FakeIntake):
    """The fake intake, its catalogue naming the items."""

    def item(self, code: str) -> ItemFacts | None:
        found = ITEMS.get(code)
        return (
            replace(found, name={"dibao": "低保申请", "village_cert": "村级证明"}.get(code, ""))
            if found
            else None
        )


def pages(document: bytes) -> list[str]:
    """Each page's text, its line breaks removed (a table cell wraps its words)."""
    assert document.startswith(b"%PDF")
    return [page.extract_text().replace("\n", "") for page in pypdf.PdfReader(io.BytesIO(document)).pages]


def embedded(document: bytes) -> bool:
    """Every font of every page is embedded (a TrueType subset)."""
    for page in pypdf.PdfReader(io.BytesIO(document)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            if "/FontFile2" not in descendant["/FontDescriptor"].get_object():
                return False
    return True


def test_the_manifests_print_one_trip_a_page_masked(runtime: Runtime, township: str) -> None:
    intake = NamingIntake()
    first = create(runtime, township, intake)
    second = create(runtime, township, intake, new(applicant=Applicant("李四光", "13812345679")))
    third = create(runtime, township, intake, new(village="baiyan"), principal=agent(township, "wei"))
    boss = who(township, "boss", "township_admin")
    document, filename = printing.trip_manifests(
        runtime.sessions, boss, township, intake, day_text="2026-12-09"
    )
    assert filename == "trips-2026-12-09.pdf" and embedded(document)
    lan, wei = pages(document)  # ordered by carrier
    assert "代办员送件清单" in lan and "2026年12月9日（星期三）" in lan and "lan名（lan）" in lan
    assert first.case_number in lan and second.case_number in lan and third.case_number not in lan
    assert "低保申请（dibao）" in lan and "件数：2" in lan
    assert "张*" in lan and "李**" in lan and "张三" not in lan and "李四光" not in lan
    assert third.case_number in wei and "baiyan" in wei
    # an agent prints its own trips only; another agent has none on that day
    own, _ = printing.trip_manifests(
        runtime.sessions, agent(township), township, intake, day_text="2026-12-09"
    )
    assert len(pages(own)) == 1 and first.case_number in pages(own)[0]
    [none] = pages(printing.trip_manifests(runtime.sessions, agent(township, "mo"), township, intake,
                                           day_text="2026-12-09")[0])  # fmt: skip
    assert "没有待送件" in none


def test_the_manifests_are_the_townships_own(runtime: Runtime, township: str) -> None:
    stranger = who(f"c{uuid.uuid4().hex[:8]}.other", "boss", "township_admin")
    with pytest.raises((Forbidden, NotFound)):
        printing.trip_manifests(runtime.sessions, stranger, township, NamingIntake(), day_text="2026-12-09")


def test_the_card_names_the_applicant_in_full_for_its_agent_only(runtime: Runtime, township: str) -> None:
    intake = NamingIntake()
    d = create(runtime, township, intake, new("village_cert"))
    own, filename = printing.delegation_card(
        runtime.sessions, agent(township), township, intake, d.id, now=MONDAY
    )
    assert filename == f"card-{d.case_number}.pdf" and embedded(own)
    [text] = pages(own)
    assert "代办事项落实卡" in text and "张三" in text and "13812345678" in text
    assert "村级证明（village_cert）" in text and "当场办结" in text and "□满意" in text
    assert "签名或按手印" in text and "代办服务不收取任何费用" in text
    boss = who(township, "boss", "township_admin")
    [masked] = pages(printing.delegation_card(runtime.sessions, boss, township, intake, d.id)[0])
    assert "张*" in masked and "张三" not in masked and "13812345678" not in masked
    delegations.reply(runtime.sessions, agent(township), township, intake, d.id,
                      confirmation=Confirmation("thumbprint", datetime.now(UTC), "mo"),
                      satisfaction="basically_satisfied")  # fmt: skip
    [confirmed] = pages(
        printing.delegation_card(runtime.sessions, agent(township), township, intake, d.id)[0]
    )
    assert "■基本满意" in confirmed and "已按手印确认" in confirmed and "落实确认" in confirmed


def test_a_card_of_no_delegation_or_another_village_is_not_found(runtime: Runtime, township: str) -> None:
    intake = NamingIntake()
    d = create(runtime, township, intake, new("village_cert"))
    with pytest.raises(NotFound):
        printing.delegation_card(runtime.sessions, agent(township), township, intake, str(uuid.uuid4()))
    with pytest.raises(NotFound):  # wei's village is baiyan
        printing.delegation_card(runtime.sessions, agent(township, "wei"), township, intake, d.id)
