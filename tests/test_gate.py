"""The access gate (ui/gate.py), the locked public demo, and ``python -m core check``.

The gate is driven through AppTest on every page of the app; the locked demo and the check run
against the local fake DataForSEO server (``api_env``), whose request log must stay empty when
the demo is locked.
"""
from __future__ import annotations

import hashlib
import logging
import os
import pathlib
import socket
import subprocess
import sys
from unittest import mock

import pytest
from streamlit.testing.v1 import AppTest

from ui import state

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGES = ["app.py", *sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")
                           if not p.name.startswith((".", "_")))]
PASSWORD = "correct horse battery staple"
HASH = hashlib.sha256(PASSWORD.encode()).hexdigest()
GATE_VARIABLES = ("AIVIS_PASSWORD_SHA256", "AIVIS_MAX_PASSWORD_TRIES", "AIVIS_DEMO_ONLY")
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "test-cookie-secret",
        "client_id": "test-client", "client_secret": "test-client-secret",
        "server_metadata_url": "https://accounts.example.com/.well-known/openid-configuration"}
# An id of the demo data and ids it does not have: whatever is typed, a locked demo asks nothing.
TYPED_IDS = ["1b2e7c4a-0000-4000-8000-00000000aa01", "1b2e7c4a-0000-4000-8000-00000000aa02"]


@pytest.fixture(autouse=True)
def no_gate_variables(monkeypatch):
    for name in GATE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def make_app(page: str = "app.py", secrets: dict | None = None, user: dict | None = None) -> AppTest:
    """An AppTest of the dashboard arriving on ``page`` (a deep link), not yet run."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for section, values in (secrets or {}).items():
        at.secrets[section] = values
    if user is not None:
        at.user = user
    if page != "app.py":
        at.switch_page(page)
    return at


def content_shown(at: AppTest) -> dict[str, int]:
    """What a gate must keep hidden: tables, charts, metrics, navigation, loaded data."""
    return {"dataframe": len(at.dataframe), "plotly_chart": len(at.get("plotly_chart")),
            "metric": len(at.metric), "page_link": len(at.get("page_link")),
            "loaded": int(data_loaded(at))}


def data_loaded(at: AppTest) -> bool:
    """Whether the session holds loaded data (ui.data keeps it under ui.state.LOADED)."""
    return state.LOADED in at.session_state


def nothing_shown(at: AppTest) -> bool:
    return not any(content_shown(at).values())


def session_text(at: AppTest) -> str:
    return "\n".join(f"{key}={at.session_state[key]!r}" for key in at.session_state)


def submit_password(at: AppTest, typed: str) -> AppTest:
    at.text_input(key="_gate_password").input(typed)
    next(b for b in at.button if b.label == "Enter").click()
    return at.run()


# -- shared password --------------------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES)
def test_password_gate_hides_every_page_until_the_right_password(demo_env, page):
    at = make_app(page, secrets={"aivis": {"password_sha256": HASH}}).run()
    assert not at.exception, at.exception
    assert [t.label for t in at.text_input] == ["Password"]
    assert nothing_shown(at), content_shown(at)

    submit_password(at, PASSWORD)
    assert not at.exception, at.exception
    assert data_loaded(at) and at.get("page_link"), "the page did not render after the password"
    assert not [t for t in at.text_input if t.label == "Password"]
    assert PASSWORD not in session_text(at), "the typed password stayed in the session"


def test_password_from_the_environment_and_switching_pages_after_it(demo_env, monkeypatch):
    monkeypatch.setenv("AIVIS_PASSWORD_SHA256", HASH.upper())  # any letter case
    at = make_app().run()
    assert nothing_shown(at)
    submit_password(at, PASSWORD)
    assert at.metric, "Load tasks shows its status metrics after the password"
    for page in PAGES[1:]:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        assert not [t for t in at.text_input if t.label == "Password"], page
    next(b for b in at.button if b.label == "Lock").click()
    at.run()
    shown = content_shown(at)
    del shown["loaded"]  # the session keeps what it loaded; nothing of it is drawn
    assert not any(shown.values()) and [t.label for t in at.text_input] == ["Password"]


def test_a_shared_link_survives_the_gate(demo_env):
    at = make_app("pages/domains.py", secrets={"aivis": {"password_sha256": HASH}})
    at.query_params["ids"] = ",".join(TYPED_IDS)
    at.query_params["engine"] = "claude"
    at.run()
    assert nothing_shown(at)
    submit_password(at, PASSWORD)
    assert list(at.session_state["ids"]) == TYPED_IDS and list(at.session_state["engine"]) == ["claude"]
    assert at.query_params["ids"].split(",") == TYPED_IDS


def test_wrong_passwords_are_refused_then_limited(demo_env):
    at = make_app("pages/domains.py", secrets={"aivis": {"password_sha256": HASH, "max_password_tries": 3}}).run()
    for n, wrong in enumerate(["guess-1", PASSWORD.upper(), PASSWORD + " "], 1):
        submit_password(at, wrong)
        assert nothing_shown(at), content_shown(at)
        assert wrong not in session_text(at)
        if n < 3:
            assert any(f"{n} of 3" in w.value for w in at.warning)
    assert not at.text_input and not at.button, "no more form after the last try"
    assert any("Too many wrong passwords" in e.value for e in at.error)
    at.switch_page("app.py").run()  # another page of the same session: still locked out
    assert nothing_shown(at) and not at.text_input


def test_empty_submit_is_not_a_try(demo_env):
    at = make_app(secrets={"aivis": {"password_sha256": HASH, "max_password_tries": 1}}).run()
    submit_password(at, "")
    assert [t.label for t in at.text_input] == ["Password"] and not at.error


@pytest.mark.parametrize("aivis", [{"password_sha256": PASSWORD}, {"password_sha256": HASH, "max_password_tries": 0},
                                   {"password_sha256": HASH, "max_password_tries": "many"}])
def test_a_misconfigured_gate_stays_closed(demo_env, aivis):
    at = make_app(secrets={"aivis": aivis}).run()
    assert not at.exception, at.exception
    assert nothing_shown(at) and not at.text_input
    assert any("misconfigured" in e.value for e in at.error)


def test_no_gate_configured_is_open(demo_env):
    at = make_app().run()
    assert not at.exception and data_loaded(at) and at.metric


# -- OIDC (st.login) --------------------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES)
def test_oidc_logged_out_sees_only_the_login_button(demo_env, page):
    with mock.patch("streamlit.login") as login:
        at = make_app(page, secrets={"auth": AUTH, "aivis": {"password_sha256": HASH}},
                      user={"is_logged_in": False}).run()
        assert not at.exception, at.exception
        assert nothing_shown(at), content_shown(at)
        assert not at.text_input, "OIDC takes precedence over the password"
        assert [b.label for b in at.button] == ["Log in"]
        login.assert_not_called()
        at.button[0].click()
        at.run()
        login.assert_called_once_with()
        assert nothing_shown(at)


def test_oidc_named_provider(demo_env):
    auth = {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": AUTH["cookie_secret"],
            "google": {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}}
    with mock.patch("streamlit.login") as login:
        at = make_app(secrets={"auth": auth}, user={"is_logged_in": False}).run()
        assert [b.label for b in at.button] == ["Log in with Google"]
        at.button[0].click()
        at.run()
        login.assert_called_once_with("google")


def test_oidc_login_that_cannot_start_stays_closed(demo_env):
    """The real st.login: without Authlib (or with a broken [auth]) it raises; the gate says so, closed."""
    at = make_app(secrets={"auth": AUTH}, user={"is_logged_in": False}).run()
    at.button[0].click()
    at.run()
    assert not at.exception, at.exception
    assert nothing_shown(at)
    assert any("sign-in could not start" in e.value for e in at.error)


def test_oidc_logged_in_sees_the_app_and_a_logout_button(demo_env):
    at = make_app(secrets={"auth": AUTH}, user={"is_logged_in": True, "email": "ana@example.com"}).run()
    assert not at.exception, at.exception
    assert at.metric and data_loaded(at)
    assert "Log out" in [b.label for b in at.sidebar.button]
    with mock.patch("streamlit.logout") as logout:
        next(b for b in at.sidebar.button if b.label == "Log out").click()
        at.run()
        logout.assert_called_once_with()


@pytest.mark.parametrize("email, allowed", [("ana@example.com", True), ("ANA@Example.com", True),
                                            ("boss@partner.org", True), ("eve@evil.example", False), ("", False)])
def test_oidc_allow_list(demo_env, email, allowed):
    aivis = {"allowed_email_domains": ["example.com"], "allowed_emails": ["boss@partner.org"]}
    at = make_app("pages/brands.py", secrets={"auth": AUTH, "aivis": aivis},
                  user={"is_logged_in": True, "email": email}).run()
    assert not at.exception, at.exception
    assert nothing_shown(at) is (not allowed), content_shown(at)
    assert "Log out" in [b.label for b in at.sidebar.button]


# -- the locked public demo -------------------------------------------------------------------
@pytest.fixture
def app_log():
    """Every record of the app's loggers during the test."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    loggers = [logging.getLogger(name) for name in ("core", "ui")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield records
    for logger, level in zip(loggers, levels):
        logger.removeHandler(handler)
        logger.setLevel(level)


def visit_everything(at: AppTest, locked: bool = True) -> None:
    """What a visitor can do: list ready tasks, type ids, load, change engine, refresh, every page."""
    at.run()
    assert not at.exception, at.exception
    at.button_group(key="w_load_source").set_value("ready").run()
    listing = [t for t in at.toggle if t.key == "w_list_ready"]
    if locked:
        assert not listing, "the locked demo offers the ready-task listing"
    else:
        listing[0].set_value(True)
        at.run()
    at.button_group(key="w_load_source").set_value("paste").run()
    at.text_area(key="w_ids_text").input("\n".join(TYPED_IDS))
    next(b for b in at.button if b.label == "Load tasks").click()
    at.run()
    for engine in ("chat_gpt", "claude"):
        at.selectbox(key="w_engine").select(engine)
        next(b for b in at.button if b.label == "Load tasks").click()
        at.run()
    for button in at.button:
        if button.key == "w_refresh":
            button.click()
            at.run()
            break
    for page in PAGES[1:]:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)


@pytest.mark.parametrize("lock", ["env", "secrets"])
def test_locked_demo_never_calls_the_api_nor_writes_the_archive(api_env, monkeypatch, tmp_path, app_log, lock):
    archive_file = pathlib.Path(os.environ["AIVIS_ARCHIVE_URL"].removeprefix("sqlite:///"))
    secrets = {"dataforseo": {"login": api_env.login, "password": api_env.password, "base_url": api_env.base_url}}
    if lock == "env":
        monkeypatch.setenv("AIVIS_DEMO_ONLY", "1")
    else:
        secrets["aivis"] = {"demo_only": True}
    at = make_app(secrets=secrets)
    at.query_params["ids"] = TYPED_IDS[0]  # a shared link with ids
    visit_everything(at)
    many_ids = [f"1b2e7c4a-0000-4000-8000-{n:012x}" for n in range(150)]  # long lists go to the archive
    for page, params in [("pages/answers.py", {"ids": ",".join(TYPED_IDS), "ref": "0123456789ab"}),
                         ("app.py", {"ref": "0123456789ab"}), ("pages/domains.py", {"source": "archive"}),
                         ("pages/usage.py", {"ids": ",".join(many_ids)})]:
        other = make_app(page, secrets=secrets)
        for name, value in params.items():
            other.query_params[name] = value
        other.run()
        assert not other.exception, (page, params, other.exception)
    assert api_env.requests == [], api_env.requests
    assert not archive_file.exists(), "the locked demo touched the archive"
    messages = [record.getMessage() for record in app_log]
    assert any("source=demo" in m for m in messages), messages
    assert not any(api_env.password in m for m in messages)


def test_with_credentials_the_same_visit_does_call_the_api(api_env, app_log):
    """The control: the fake does see the app's requests when the demo is not locked."""
    at = make_app()
    visit_everything(at, locked=False)
    assert api_env.count("tasks_ready") >= 1
    assert api_env.count("task_get") >= len(TYPED_IDS)
    messages = [record.getMessage() for record in app_log]
    load_lines = [m for m in messages if m.startswith("load ") and "source=api" in m]
    assert load_lines and all("ids=" in m and "outcomes=" in m and "seconds=" in m for m in load_lines)
    assert not any(api_env.password in m for m in messages)


# -- python -m core check ---------------------------------------------------------------------
def run_check(env: dict, cwd: pathlib.Path = ROOT, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", "check", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def check_env(fake_api, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATAFORSEO_", "AIVIS_", "XDG_"))}
    env.update(HOME=str(tmp_path), PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1",
               AIVIS_ARCHIVE_URL=f"sqlite:///{tmp_path}/archive.sqlite", DATAFORSEO_LOGIN=fake_api.login,
               DATAFORSEO_PASSWORD=fake_api.password, DATAFORSEO_BASE_URL=fake_api.base_url)
    return env


def lines(result: subprocess.CompletedProcess) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in result.stdout.splitlines())


def test_check_passes_with_good_credentials_and_archive(check_env, fake_api):
    result = run_check(check_env)
    assert result.returncode == 0, result.stdout + result.stderr
    found = lines(result)
    assert found["credentials"].startswith("ok") and found["archive"].startswith("ok")
    assert found["access"].startswith("ok (open")
    assert [r.path for r in fake_api.requests] == ["/v3/appendix/user_data"], "one free call"
    assert run_check(check_env).returncode == 0, "a second check (probe row already there) passes too"


def test_check_refuses_bad_credentials_without_printing_them(check_env):
    check_env["DATAFORSEO_PASSWORD"] = "wr0ng-S3cret-never-printed"
    result = run_check(check_env)
    assert result.returncode == 1
    assert lines(result)["credentials"].startswith("FAILED: login test-login")
    assert "refused the credentials" in result.stdout
    assert "wr0ng-S3cret-never-printed" not in result.stdout + result.stderr


def test_check_without_credentials_fails_unless_the_demo_is_locked(check_env):
    del check_env["DATAFORSEO_LOGIN"], check_env["DATAFORSEO_PASSWORD"]
    result = run_check(check_env)
    assert result.returncode == 1 and lines(result)["credentials"].startswith("FAILED: none set")
    locked = run_check({**check_env, "AIVIS_DEMO_ONLY": "1"})
    assert locked.returncode == 0, locked.stdout
    assert "locked demo" in lines(locked)["credentials"] and "not used" in lines(locked)["archive"]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("url", [f"postgresql+psycopg://aivis:pg-s3cret@127.0.0.1:{closed_port()}/aivis",
                                 "sqlite:////proc/no-such-folder/archive.sqlite"])
def test_check_fails_on_an_unreachable_archive(check_env, url):
    result = run_check({**check_env, "AIVIS_ARCHIVE_URL": url})
    assert result.returncode == 1, result.stdout
    assert lines(result)["archive"].startswith("FAILED: ")
    assert lines(result)["credentials"].startswith("ok")
    assert "pg-s3cret" not in result.stdout + result.stderr


def test_check_reads_secrets_toml_and_the_gate(check_env, fake_api, tmp_path):
    """Credentials and gate settings from ./.streamlit/secrets.toml, as the app reads them."""
    del check_env["DATAFORSEO_LOGIN"], check_env["DATAFORSEO_PASSWORD"]
    folder = tmp_path / "deploy" / ".streamlit"
    folder.mkdir(parents=True)
    (folder / "secrets.toml").write_text(
        f'[dataforseo]\nlogin = "{fake_api.login}"\npassword = "{fake_api.password}"\n'
        f'base_url = "{fake_api.base_url}"\n[aivis]\npassword_sha256 = "{HASH}"\n')
    result = run_check(check_env, folder.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert lines(result)["access"] == "ok (shared password)"
    (folder / "secrets.toml").write_text(f'[aivis]\npassword_sha256 = "{PASSWORD}"\n')
    result = run_check({**check_env, "DATAFORSEO_LOGIN": fake_api.login,
                        "DATAFORSEO_PASSWORD": fake_api.password}, folder.parent)
    assert result.returncode == 1 and lines(result)["access"].startswith("FAILED: password_sha256 is not")
    assert PASSWORD not in result.stdout


def test_check_with_oidc_needs_authlib(check_env, tmp_path):
    folder = tmp_path / "deploy" / ".streamlit"
    folder.mkdir(parents=True)
    (folder / "secrets.toml").write_text("[auth]\n" + "".join(f'{k} = "{v}"\n' for k, v in AUTH.items()))
    result = run_check(check_env, folder.parent)
    try:
        import authlib  # noqa: F401
    except ImportError:
        assert result.returncode == 1 and "Authlib" in lines(result)["access"]
    else:
        assert result.returncode == 0 and lines(result)["access"] == "ok (OIDC login ([auth]))"
    assert "test-client-secret" not in result.stdout
