"""Database URLs as shown: no password, in the user-info or in the query, anywhere they are printed."""
from __future__ import annotations

import pytest

from core.archive import Archive, ArchiveError
from core.redact import mask_url
from tests.test_cli import cli_env, run_cli  # noqa: F401 (cli_env is a fixture)

URL = "postgresql+psycopg://u:pw-in-userinfo@h/db?password=pw-in-query&sslpassword=ssl-pw&sslmode=require"
SECRETS = ("pw-in-userinfo", "pw-in-query", "ssl-pw")


def test_mask_url_hides_the_password_and_secret_query_values():
    shown = mask_url(URL)
    assert not any(secret in shown for secret in SECRETS)
    assert shown.startswith("postgresql+psycopg://u:***@h/db?")
    assert "password=***" in shown and "sslpassword=***" in shown and "sslmode=require" in shown


@pytest.mark.parametrize("name", ["passfile", "sslkey", "token", "secret", "api_key", "client_secret"])
def test_other_secret_parameters_are_masked(name):
    assert "hidden-value" not in mask_url(f"postgresql://h/db?{name}=hidden-value")


def test_a_text_that_is_not_a_url_is_not_echoed():
    assert "hunter2" not in mask_url("hunter2 was pasted here")


def test_archive_where_and_errors_hide_query_secrets():
    url = "postgresql+psycopg://u:pw-in-userinfo@127.0.0.1:1/db?password=pw-in-query&sslpassword=ssl-pw"
    with pytest.raises(ArchiveError) as caught:
        Archive(url)
    message = str(caught.value)
    assert "127.0.0.1:1" in message and not any(secret in message for secret in SECRETS)


def test_cli_check_and_stderr_hide_query_secrets(cli_env):
    env = {**cli_env, "AIVIS_ARCHIVE_URL": "postgresql://u:pw-in-userinfo@127.0.0.1:1/db?password=pw-in-query"
           "&sslpassword=ssl-pw"}
    for args in (["check"], ["report"], ["archive", "export", "-"]):
        done = run_cli(args, env)
        printed = done.stdout + done.stderr
        assert "127.0.0.1:1" in printed, printed
        assert not any(secret in printed for secret in SECRETS), printed
