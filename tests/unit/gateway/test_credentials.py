"""The rules of passwords, failed-login back-off and refresh tokens (gateway domain/credentials.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from libs.common.errors import ValidationFailed
from services.gateway.domain.credentials import (
    FAILURES_BEFORE_BACKOFF,
    FIRST_HOLD,
    LONGEST_HOLD,
    MAX_PASSWORD_LENGTH,
    SESSION_LIFETIME,
    LoginFailures,
    RefreshToken,
    check_new_password,
    session_expiry,
)

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short", "at least 8"),
        ("12345678", "too easy to guess"),
        ("password", "too easy to guess"),
        ("        ", "too easy to guess"),
        ("qwertyuiop", "too easy to guess"),
        ("zhangsan2026!", "must not contain the username"),
        ("ZhangSan-is-here", "must not contain the username"),
        ("x" * (MAX_PASSWORD_LENGTH + 1), f"at most {MAX_PASSWORD_LENGTH}"),
    ],
)
def test_weak_or_unusable_passwords_are_refused(password: str, why: str) -> None:
    with pytest.raises(ValidationFailed, match=why):
        check_new_password(password, "zhangsan")


@pytest.mark.parametrize("password", ["correct horse battery", "那坡镇-便民-2026", "Napo-desk-window-7"])
def test_strong_passwords_pass(password: str) -> None:
    check_new_password(password, "zhangsan", name="张三")


def test_the_longest_password_allowed_at_creation_is_accepted_at_login_too() -> None:
    from services.gateway.entrypoints.http.routers.auth import TokenRequest

    longest = "Kq7-" + "w9Rz" * ((MAX_PASSWORD_LENGTH - 4) // 4)
    assert len(longest) == MAX_PASSWORD_LENGTH
    check_new_password(longest, "zhangsan")
    TokenRequest(username="zhangsan", password=longest)


def test_failures_below_the_limit_only_count() -> None:
    record = LoginFailures()
    for n in range(1, FAILURES_BEFORE_BACKOFF):
        record = record.after_failure(NOW)
        assert (record.failures, record.holds, record.holds_at(NOW)) == (n, 0, False)


def test_each_hold_doubles_up_to_a_day() -> None:
    record, now, holds = LoginFailures(), NOW, []
    for _ in range(9):
        for _ in range(FAILURES_BEFORE_BACKOFF):
            record = record.after_failure(now)
        assert record.holds_at(now) and record.failures == 0
        assert record.held_until is not None
        holds.append(record.held_until - now)
        now = record.held_until + timedelta(minutes=1)  # the attacker waits it out, and tries again
    assert holds[:4] == [FIRST_HOLD, 2 * FIRST_HOLD, 4 * FIRST_HOLD, 8 * FIRST_HOLD]
    assert holds[-1] == LONGEST_HOLD and max(holds) == LONGEST_HOLD


def test_a_source_quiet_for_a_day_starts_again_from_the_first_hold() -> None:
    record = LoginFailures()
    for _ in range(3 * FAILURES_BEFORE_BACKOFF):
        record = record.after_failure(NOW)
    assert record.holds == 3
    later = NOW + timedelta(days=2)
    record = record.after_failure(later)
    assert (record.failures, record.holds) == (1, 0)


def test_a_refresh_token_is_refused_once_spent_revoked_or_expired() -> None:
    token = RefreshToken("f", "li", NOW, NOW + timedelta(hours=12), NOW)
    assert token.refusal(NOW) is None
    assert "used already" in (
        RefreshToken("f", "li", NOW, NOW + timedelta(hours=1), NOW, spent_at=NOW).refusal(NOW) or ""
    )
    assert "ended" in (
        RefreshToken("f", "li", NOW, NOW + timedelta(hours=1), NOW, revoked_at=NOW).refusal(NOW) or ""
    )
    assert "expired" in (token.refusal(NOW + timedelta(hours=12)) or "")


def test_refreshing_never_outlives_a_week_from_the_login() -> None:
    idle = timedelta(hours=12)
    assert session_expiry(NOW, NOW, idle) == NOW + idle
    late = NOW + SESSION_LIFETIME - timedelta(hours=1)
    assert session_expiry(NOW, late, idle) == NOW + SESSION_LIFETIME
