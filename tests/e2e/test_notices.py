"""Notices end to end, in both modes: a case accepted over HTTP yields, through intake's outbox,
the bus and notify's consumer, an acceptance notice readable over HTTP (the applicant masked) and
as a PDF (the case number and verification code in its text); the notifications of the case show
its print, SMS and e-mail deliveries (addresses masked); an assignment reaches the handler's
inbox; another township's staff see nothing; no personal data of the applicant travels in clear
on the bus (intake's outbox holds it sealed only); a day off before the deadline moves it, and
intake's relay process brings the moved deadline to notify's open-case projection."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pypdf
import pytest
import sqlalchemy as sa

from libs.common.ports import free_port
from tests.e2e.conftest import Processes, eventually, login, wait_http
from tests.support.sms_provider import SmsProviderProcess

pytestmark = pytest.mark.e2e

TENANT = "tianyang.napo"
COUNTY_TZ = "Asia/Shanghai"
PASSWORD = "e2e-township-password"
ITEM = {
    "code": "db_apply",
    "name": "低保申请",
    "category": "civil_affairs",
    "level": "township",
    "kind": "approval",
    "statutory_days": 30,
    "promised_days": 20,
    "materials": [{"code": "id_card", "name": "身份证", "required": True}],
}
APPLICANT = {"name": "张三丰", "phone": "13812345678", "email": "zhangsan@example.com"}
CASE = {"item_code": "db_apply", "level": "hall", "channel": "walk_in", "applicant": APPLICANT,
        "materials": ["id_card"], "accept": True}  # fmt: skip


def create_user(procs: Processes, username: str, role: str, tenant: str) -> None:
    assert procs.run("admin", "create-user", username, "--roles", role,
                     "--tenants", tenant, "--password", PASSWORD) == 0, procs.log_tail()  # fmt: skip


def open_all_day_today(base: str, admin: dict[str, str]) -> None:
    """Today (in the county's zone) a working day with office hours round the clock, so that
    a non-urgent SMS is not held for quiet hours whenever the test runs."""
    today = datetime.now(ZoneInfo(COUNTY_TZ)).date().isoformat()
    r = httpx.patch(f"{base}/v1/townships/{TENANT}/settings", json={"office_hours": [["00:00", "23:59"]]},
                    headers=admin)  # fmt: skip
    assert r.status_code == 200, r.text
    r = httpx.put(f"{base}/v1/townships/{TENANT}/calendar/days/{today}",
                  json={"kind": "work", "reason": "测试：全天办公"}, headers=admin)  # fmt: skip
    assert r.status_code == 200, r.text


def exercise_notices(
    base: str, procs: Processes, database_url: str, sms: SmsProviderProcess | None = None
) -> None:
    assert procs.run("admin", "calendar-import", "--year", "2026") == 0, procs.log_tail()
    admin = login(base)
    eventually(  # intake's API up (the gateway answers before the services do)
        lambda: httpx.get(f"{base}/v1/catalog/items", headers=admin, timeout=10).status_code,
        lambda status: status == 200,
        "intake answering",
    )
    item = httpx.post(f"{base}/v1/catalog/items", json=ITEM, headers=admin)
    assert item.status_code == 201, f"{item.text}\n{procs.log_tail()}"
    township = {"code": "napo", "name": "那坡镇", "villages": []}
    assert httpx.post(f"{base}/v1/townships", json=township, headers=admin).status_code == 201
    eventually(
        lambda: httpx.get(f"{base}/v1/townships/{TENANT}", headers=admin, timeout=10).json(),
        lambda view: {view.get("services", {}).get(s) for s in ("intake", "notify")} == {"ready"},
        "intake and notify knowing the township",
    )
    if sms is not None:
        open_all_day_today(base, admin)
    create_user(procs, "napo_desk", "intake_desk", TENANT)
    create_user(procs, "napo_window", "window_staff", TENANT)
    create_user(procs, "bama_window", "window_staff", "tianyang.bama")
    desk, window = login(base, "napo_desk", PASSWORD), login(base, "napo_window", PASSWORD)

    created = httpx.post(f"{base}/v1/townships/{TENANT}/cases", json=CASE, headers=desk)
    assert created.status_code == 201, created.text
    case = created.json()
    assert case["state"] == "accepted", case
    notices_url = f"{base}/v1/townships/{TENANT}/cases/{case['id']}/notices"

    listed = eventually(
        lambda: httpx.get(notices_url, headers=window, timeout=10).json(),
        lambda page: len(page.get("items", [])) == 1,
        "the acceptance notice",
    )
    [notice] = listed["items"]
    assert notice["kind"] == "acceptance" and notice["case_number"] == case["number"]
    assert notice["recipient"] == "138****5678" and notice["channel"] == "sms"
    text = notice["text"]
    assert text.startswith("受理通知书") and case["number"] in text and "低保申请" in text
    assert "张**" in text and "张三丰" not in text and "13812345678" not in text
    code = re.search(r"验证码：([0-9A-Z]+)", text)
    assert code is not None

    one = httpx.get(f"{notices_url}/{notice['id']}", headers=window)
    # the same notice; only its status may have moved on meanwhile (queued → sent as the SMS goes out)
    assert one.status_code == 200 and {**one.json(), "status": ""} == {**notice, "status": ""}
    printable = httpx.get(f"{notices_url}/{notice['id']}", headers={**window, "Accept": "application/pdf"})
    assert printable.status_code == 200, printable.text
    assert printable.headers["content-type"] == "application/pdf" and printable.content.startswith(b"%PDF")
    pdf_text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(printable.content)).pages)
    assert case["number"] in pdf_text and code.group(1) in pdf_text and "受理通知书" in pdf_text
    assert "张三丰" in pdf_text and "张**" not in pdf_text  # the applicant's own copy names them in full
    wrong_case = (
        f"{base}/v1/townships/{TENANT}/cases/00000000-0000-4000-8000-000000000000/notices/{notice['id']}"
    )
    assert httpx.get(wrong_case, headers=window).status_code == 404

    deliveries = httpx.get(
        f"{base}/v1/townships/{TENANT}/notifications", params={"case_id": case["id"]}, headers=window
    ).json()["items"]
    by_channel = {d["channel"]: d for d in deliveries}
    assert set(by_channel) == {"print", "sms", "email"}
    assert by_channel["print"]["status"] == "delivered"
    assert by_channel["sms"]["recipient"] == "138****5678"
    assert by_channel["email"]["recipient"] == "z***@example.com"
    assert all(d["notice_id"] == notice["id"] and d["topic"] == "notice" for d in deliveries)
    if sms is not None:  # the applicant's phone gets the notice through the real provider
        [text_message] = eventually(
            sms.messages, lambda taken: len(taken) == 1, "the acceptance SMS at the provider"
        )
        assert text_message["to"] == APPLICANT["phone"] and case["number"] in text_message["text"]
        eventually(
            lambda: httpx.get(f"{base}/v1/townships/{TENANT}/notifications",
                              params={"case_id": case["id"], "channel": "sms"}, headers=window).json(),
            lambda page: [d["status"] for d in page["items"]] in (["sent"], ["delivered"]),
            "the SMS notification sent",
        )  # fmt: skip

    # the assignment reaches the handler's inbox
    case_url = f"{base}/v1/townships/{TENANT}/cases/{case['id']}"
    version = httpx.get(case_url, headers=window).json()["version"]
    assigned = httpx.post(
        f"{case_url}/assign", json={"handler": "napo_window"}, headers={**window, "If-Match": f'"{version}"'}
    )
    assert assigned.status_code == 200, assigned.text
    inbox = eventually(
        lambda: httpx.get(f"{base}/v1/me/inbox", headers=window, timeout=10).json(),
        lambda page: len(page.get("items", [])) == 1,
        "the assignment in the handler's inbox",
    )
    assert inbox["unread"] == 1 and inbox["items"][0]["topic"] == "assignment"
    assert case["number"] in inbox["items"][0]["title"] and inbox["items"][0]["tenant_id"] == TENANT
    assert httpx.get(f"{base}/v1/me/inbox", headers=desk).json()["items"] == []
    item = inbox["items"][0]["id"]
    assert httpx.post(f"{base}/v1/me/inbox/{item}/read", headers=desk).status_code == 404  # not hers
    read = httpx.post(f"{base}/v1/me/inbox/{item}/read", headers=window)
    assert read.status_code == 200 and read.json()["read_at"], read.text
    assert httpx.get(f"{base}/v1/me/inbox", headers=window).json()["unread"] == 0

    bama = login(base, "bama_window", PASSWORD)
    for url in (notices_url, f"{notices_url}/{notice['id']}", f"{base}/v1/townships/{TENANT}/notifications"):
        r = httpx.get(url, headers=bama)
        assert r.status_code == 404 and r.json()["code"] == "not_found", r.text

    # the applicant travels sealed only: intake's outbox has no name, phone or e-mail in clear
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            data = [r[0] for r in conn.execute(sa.text("SELECT payload::text FROM intake.outbox")).all()]
    finally:
        engine.dispose()
    assert any("applicant_sealed" in d for d in data)
    for value in APPLICANT.values():
        assert not any(value in d for d in data), value

    # a day off before the deadline moves it: intake re-derives it in the calendar change's
    # transaction, its relay process publishes the moved deadline, notify's projection takes it
    def due_of() -> datetime:
        clock = httpx.get(case_url, headers=window, timeout=10).json()["clock"]
        return datetime.fromisoformat(clock["due_at"])

    due = due_of()
    day = due.astimezone(ZoneInfo(COUNTY_TZ)).date() - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    r = httpx.put(f"{base}/v1/townships/{TENANT}/calendar/days/{day.isoformat()}",
                  json={"kind": "off", "reason": "测试：临时调休"}, headers=admin)  # fmt: skip
    assert r.status_code == 200, r.text
    moved = eventually(due_of, lambda now_due: now_due > due, "the deadline moved by the day off")
    open_case = "SELECT due_at FROM notify.open_case WHERE case_id = :id"
    engine = sa.create_engine(database_url)
    try:

        def projected() -> datetime | None:
            with engine.connect() as conn:
                return conn.execute(sa.text(open_case), {"id": case["id"]}).scalar()

        eventually(projected, lambda at: at == moved, "the moved deadline in notify's open-case projection")
    finally:
        engine.dispose()


def test_notices_all_in_one(processes: Processes, fresh_db: str) -> None:
    """With a real SMS provider process: the acceptance reaches the applicant's phone."""
    port = free_port()
    with SmsProviderProcess(key="e2e-sms-key") as sms:
        proc = processes.start("run", "--port", str(port), BIANMIN_SMS_URL=sms.url,
                               BIANMIN_SMS_API_KEY="e2e-sms-key")  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/healthz", processes)
        exercise_notices(base, processes, fresh_db, sms)
        assert processes.stop(proc) == 0, processes.log_tail()


def test_notices_distributed(processes: Processes, fresh_db: str, amqp_url: str) -> None:
    """Separate processes: intake and notify (gRPC API and nameko worker each), intake's and the
    gateway's outbox relays on RabbitMQ, the gateway. They share the data directory, so the
    seal key generated by the first intake process is the one notify opens with."""
    amqp = {"BIANMIN_AMQP_URL": amqp_url}
    assert processes.run("migrate") == 0, processes.log_tail()
    ports = {s: free_port() for s in ("gateway", "intake", "notify")}
    targets = ",".join(f"{s}=127.0.0.1:{p}" for s, p in ports.items())
    for service in ("intake", "notify"):
        processes.start("serve", service, "api", BIANMIN_GRPC_PORT=str(ports[service]))
        processes.start("serve", service, "worker", **amqp)
    for service in ("gateway", "intake"):
        processes.start("serve", service, "relay", **amqp)
    http_port = free_port()
    processes.start("serve", "gateway", "api", BIANMIN_GRPC_PORT=str(ports["gateway"]),
                    BIANMIN_HTTP_PORT=str(http_port), BIANMIN_GRPC_TARGETS=targets)  # fmt: skip
    base = f"http://127.0.0.1:{http_port}"
    wait_http(f"{base}/healthz", processes)
    exercise_notices(base, processes, fresh_db)
