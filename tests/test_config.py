"""Settings: secrets win over the environment; credentials need both halves; yes/no and hash checks."""
from __future__ import annotations

from core.config import Settings, is_sha256_hex, is_true

ENV = {"DATAFORSEO_LOGIN": "env-login", "DATAFORSEO_PASSWORD": "env-pass",
       "DATAFORSEO_BASE_URL": "http://127.0.0.1:9/", "AIVIS_DEMO_ONLY": ""}


def test_secrets_win_over_the_environment():
    config = Settings.resolve({"dataforseo": {"login": " sec ", "password": "s3cr3t-pw", "base_url": "https://x.test/"}}, ENV)
    assert (config.credentials.login, config.credentials.password, config.base_url) == ("sec", "s3cr3t-pw", "https://x.test")
    assert not config.demo and len(config.account_key) == 16 and "s3cr3t-pw" not in repr(config)


def test_the_environment_fills_what_secrets_leave_out():
    config = Settings.resolve({}, ENV)
    assert config.credentials.login == "env-login" and config.base_url == "http://127.0.0.1:9"


def test_no_credentials_or_a_locked_demo_is_the_demo():
    assert Settings.resolve({}, {"DATAFORSEO_LOGIN": "only-login"}).demo
    locked = Settings.resolve({"aivis": {"demo_only": True}}, ENV)
    assert locked.demo and locked.account_key == "demo"
    assert Settings.resolve({}, {**ENV, "AIVIS_DEMO_ONLY": "Yes"}).demo_only


def test_yes_no_and_hash_checks():
    assert [is_true(v) for v in ("1", "TRUE", " yes ", True, "0", "no", None, "")] == [True] * 4 + [False] * 4
    assert is_sha256_hex("A" * 64) and not is_sha256_hex("a" * 63) and not is_sha256_hex("g" * 64)
