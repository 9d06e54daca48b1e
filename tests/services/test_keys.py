"""Settings refuse placeholder and missing keys and are read again from the environment they
name; keys init/status/rotate; passphrase keys."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import SecretStr

from baomi.engine import crypto
from baomi.errors import ConfigError, CryptoError
from baomi.services import deals, keys
from baomi.services.vault import Vault, open_vault
from baomi.settings import Settings
from tests.services.fakes import add_files
from tests.vault_support import admin, operator


def test_settings_refuse_placeholder_and_missing_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BAOMI_MASTER_KEY", "BAOMI_MASTER_KEY_FILE", "BAOMI_PASSPHRASE", "BAOMI_ENV"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError):
        Settings()
    with pytest.raises(ConfigError):
        Settings(master_key="changethis")
    with pytest.raises(ConfigError):
        Settings(env="test", passphrase="changeme")
    with pytest.raises(ConfigError):
        Settings(master_key=crypto.encode_key(crypto.generate_key()), passphrase="a real one")
    assert Settings(env="test").master_key_source is None
    monkeypatch.setenv("BAOMI_MASTER_KEY", crypto.encode_key(crypto.generate_key()))
    monkeypatch.setenv("BAOMI_HOME", "/srv/baomi")
    s = Settings()
    assert s.home == Path("/srv/baomi") and s.master_key_source == "env"
    assert "BAOMI" not in repr(s.master_key) and os.environ["BAOMI_MASTER_KEY"] not in repr(s)
    assert s.sqlalchemy_url == "sqlite:////srv/baomi/baomi.db"


def test_settings_are_read_again_from_their_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a worker of ``baomi serve --workers N`` is given: the same settings, every field."""
    made = Settings(
        _env_file=None,  # type: ignore[call-arg]
        home=tmp_path / "home",
        database_url="postgresql+psycopg://baomi@127.0.0.1:5432/baomi",
        passphrase=SecretStr("a long passphrase of the operator's"),
        env="development",
        login_max_failures=7,
        lockout_minutes=20,
        smtp_host="mail.example.com",
        smtp_from="dpo@example.com",
        smtp_security="ssl",
        smtp_timeout_seconds=12.5,
    )
    for name in [k for k in os.environ if k.startswith("BAOMI_")]:
        monkeypatch.delenv(name)
    for name, value in made.as_environment().items():
        monkeypatch.setenv(name, value)
    assert Settings() == made


def test_key_file_must_be_private(settings: Settings, key_file: Path) -> None:
    key_file.chmod(0o644)
    with pytest.raises(ConfigError, match="600"):
        keys.init(settings, actor=admin("ops"))


def test_init_writes_private_key_store_and_status(settings: Settings, key_file: Path) -> None:
    status = keys.init(settings, actor=admin("ops"))
    assert (settings.keystore_path.stat().st_mode & 0o777) == 0o600
    assert (key_file.stat().st_mode & 0o777) == 0o600
    assert status.generation == 1 and status.source == "file"
    assert key_file.read_text().strip() not in settings.keystore_path.read_text()
    with pytest.raises(ConfigError):
        keys.init(settings, actor=admin("ops"))


def test_wrong_master_key_is_refused(settings: Settings) -> None:
    keys.init(settings, actor=admin("ops"))
    wrong = crypto.encode_key(crypto.generate_key())
    other = settings.model_copy(update={"master_key_file": None, "master_key": _secret(wrong)})
    with pytest.raises(CryptoError) as exc, open_vault(other) as v:
        v.master_key()
    assert settings.master_key_file is not None
    for secret in (wrong, settings.master_key_file.read_text().strip()):
        assert secret[:12] not in str(exc.value)


def test_rotation_rewraps_without_reencrypting_and_old_key_stops_working(
    vault: Vault, settings: Settings, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_bytes(b"payload")
    deal_id = deals.create(vault, actor=operator("ops"), name="d").id
    [obj] = add_files(vault, "d", [tmp_path / "a.txt"])
    blob_before = vault.blobs.path(deal_id, obj.id).read_bytes()
    new_file = tmp_path / "new.key"
    status = keys.rotate(settings, actor=admin("ops"), new_key_file=new_file)
    assert status.generation == 2 and (new_file.stat().st_mode & 0o777) == 0o600
    assert vault.blobs.path(deal_id, obj.id).read_bytes() == blob_before  # data not re-encrypted
    with pytest.raises(CryptoError), open_vault(settings) as old:  # old master key
        deals.export(old, actor=operator("ops"), deal_ref="d", out_dir=tmp_path / "x")
    new_settings = settings.model_copy(update={"master_key_file": new_file})
    with open_vault(new_settings) as v:
        deals.export(v, actor=operator("ops"), deal_ref="d", out_dir=tmp_path / "out")
    assert (tmp_path / "out" / "a.txt").read_bytes() == b"payload"


def test_passphrase_master_key(
    tmp_path: Path, database_url: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(crypto, "SCRYPT_N", 2**12)  # keep the test fast; parameters are stored
    s = Settings(
        home=tmp_path / "h",
        database_url=database_url,
        passphrase="long enough passphrase 保密",
        env="test",
    )
    status = keys.init(s, actor=admin("ops"))
    assert status.source == "passphrase"
    assert "long enough" not in s.keystore_path.read_text()
    with open_vault(s) as v:
        deals.create(v, actor=operator("ops"), name="d")
    wrong = s.model_copy(update={"passphrase": _secret("another passphrase")})
    with pytest.raises(CryptoError):
        keys.status(wrong, actor=operator())
    keys.rotate(s, actor=admin("ops"), new_passphrase="the next passphrase")
    with pytest.raises(CryptoError):
        keys.status(s, actor=operator())
    assert (
        keys.status(
            s.model_copy(update={"passphrase": _secret("the next passphrase")}), actor=operator()
        ).generation
        == 2
    )


def _secret(value: str) -> SecretStr:
    return SecretStr(value)


def test_rotation_from_an_environment_key_to_a_key_file(
    tmp_path: Path, database_url: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = crypto.encode_key(crypto.generate_key())
    monkeypatch.setenv("BAOMI_MASTER_KEY", key)
    s = Settings(home=tmp_path / "h", database_url=database_url, env="test")
    assert keys.init(s, actor=admin("ops")).source == "env"
    new_file = tmp_path / "next.key"
    assert keys.rotate(s, actor=admin("ops"), new_key_file=new_file).generation == 2
    with pytest.raises(CryptoError):
        keys.status(s, actor=operator())


def test_a_short_passphrase_makes_no_key_store(
    tmp_path: Path, database_url: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`BAOMI_PASSPHRASE=123` was accepted as what every deal's key is wrapped under: a new key
    store (or a rotation) takes a passphrase of 12 characters or more."""
    monkeypatch.setattr(crypto, "SCRYPT_N", 2**12)
    s = Settings(home=tmp_path / "h", database_url=database_url, passphrase="123", env="test")
    with pytest.raises(ConfigError):
        keys.init(s, actor=admin("ops"))
    assert not s.keystore_path.exists()
    good = s.model_copy(update={"passphrase": _secret("long enough passphrase")})
    keys.init(good, actor=admin("ops"))
    with pytest.raises(ConfigError):
        keys.rotate(good, actor=admin("ops"), new_passphrase="short")
