"""Sealing: what intake seals only the deployment's keys open; rotation; the key file."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from libs.common import sealing
from libs.common.sealing import Sealer, SealError
from libs.common.settings import Settings

CONTACT = {"name": "张三丰", "phone": "13812345678", "email": "zs@example.com"}


def test_seal_opens_with_the_same_keys_and_hides_the_contact() -> None:
    sealer = Sealer([Sealer.generate_key()])
    token = sealer.seal(CONTACT)
    assert sealer.open(token) == CONTACT
    for value in CONTACT.values():
        assert value not in token
    assert sealer.seal(CONTACT) != token  # a fresh IV each time: equal contacts are not linkable


def test_other_keys_and_tampering_are_refused() -> None:
    token = Sealer([Sealer.generate_key()]).seal(CONTACT)
    with pytest.raises(SealError):
        Sealer([Sealer.generate_key()]).open(token)
    sealer = Sealer([Sealer.generate_key()])
    good = sealer.seal(CONTACT)
    tampered = good[:-6] + ("A" if good[-6] != "A" else "B") + good[-5:]
    with pytest.raises(SealError):
        sealer.open(tampered)
    with pytest.raises(SealError):
        sealer.open("not a token")


def test_rotation_first_key_seals_every_key_opens() -> None:
    old, new = Sealer.generate_key(), Sealer.generate_key()
    sealed_before = Sealer([old]).seal(CONTACT)
    rotated = Sealer([new, old])
    assert rotated.open(sealed_before) == CONTACT
    sealed_after = rotated.seal(CONTACT)
    assert Sealer([new]).open(sealed_after) == CONTACT
    with pytest.raises(SealError):
        Sealer([old]).open(sealed_after)


def test_bad_keys_are_refused() -> None:
    with pytest.raises(ValueError):
        Sealer([])
    with pytest.raises(ValueError, match="Fernet"):
        Sealer(["short"])


def test_from_settings_env_keys_win_over_the_file(tmp_path: Path) -> None:
    a, b = Sealer.generate_key(), Sealer.generate_key()
    sealer = Sealer.from_settings(Settings(seal_keys=f" {a} , {b} ", data_dir=tmp_path))
    assert Sealer([a]).open(sealer.seal(CONTACT)) == CONTACT
    assert not (tmp_path / sealing.KEY_FILE).exists()


def test_key_file_is_generated_once_private_and_shared(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    results: list[str] = []
    at_once = threading.Barrier(16)

    def start() -> None:  # processes starting at once must agree on one key
        at_once.wait()
        results.append(sealing.read_or_create_key_file(settings.data_dir / sealing.KEY_FILE))

    threads = [threading.Thread(target=start) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1
    path = settings.data_dir / sealing.KEY_FILE
    assert os.stat(path).st_mode & 0o777 == 0o600
    first, second = Sealer.from_settings(settings), Sealer.from_settings(settings)
    assert second.open(first.seal(CONTACT)) == CONTACT
    assert [p.name for p in path.parent.iterdir()] == [sealing.KEY_FILE]  # no temporary files left


def test_deferred_sealer_reads_keys_on_first_use(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    deferred = Sealer.deferred(settings)
    assert not (tmp_path / sealing.KEY_FILE).exists()
    token = deferred.seal(CONTACT)
    assert (tmp_path / sealing.KEY_FILE).exists()
    assert Sealer.from_settings(settings).open(token) == CONTACT


def test_addresses_and_sessions() -> None:
    from sqlalchemy.orm import Session, sessionmaker

    sealer = Sealer([Sealer.generate_key()])
    assert sealing.open_address(sealer, sealing.seal_address(sealer, "13812345678")) == "13812345678"
    with pytest.raises(SealError):
        sealing.open_address(sealer, sealer.seal({"phone": "1"}))
    sessions: sessionmaker[Session] = sessionmaker(info={"other": 1})
    assert sealing.of(sessions()) is None
    sealing.attach(sessions, sealer)
    session = sessions()
    assert sealing.of(session) is sealer and session.info["other"] == 1
