"""Who may see the dashboard: an OIDC login, a shared password, or everyone.

:func:`require_access` runs on every page right after ``st.set_page_config`` (see
:func:`ui.shell.page`) and stops the script (``st.stop()``) before any input, data or chart
is drawn unless the visitor is let in. Which gate applies, first match wins:

1. ``[auth]`` in ``.streamlit/secrets.toml``: Streamlit's built-in OIDC login (``st.login``;
   needs the ``Authlib`` package). A provider is the unnamed default (``client_id`` ... in
   ``[auth]``) or each ``[auth.<name>]`` sub-section, one button each; ``[aivis] auth_provider``
   picks one. ``[aivis] allowed_emails`` / ``allowed_email_domains`` (lists) restrict who,
   once logged in, may see the data: without them anyone the provider accepts gets in.
2. ``[aivis] password_sha256`` (or ``AIVIS_PASSWORD_SHA256``): one shared password, checked by
   its SHA-256 hex digest with a constant-time compare; at most ``[aivis] max_password_tries``
   (``AIVIS_MAX_PASSWORD_TRIES``, default 5) wrong tries per session. The typed text is cleared
   from the session as soon as it has been checked.
3. Neither: open.

A misconfigured gate (a hash that is not 64 hex digits, a bad ``max_password_tries``) keeps
the app closed and says what is wrong, rather than opening it.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping

import streamlit as st

from core.config import Gate, is_sha256_hex
from ui.safe import md_text

log = logging.getLogger(__name__)

DEFAULT_MAX_TRIES = 5
# session keys of the gate (the typed password only ever lives in _WIDGET, cleared by the check)
_WIDGET, _TRIES, _PASSED = "_gate_password", "_gate_tries", "_gate_passed"
# keys of [auth] that are settings shared by all providers, not provider sub-sections
_AUTH_SHARED = {"redirect_uri", "cookie_secret", "expose_tokens", "client_id", "client_secret",
                "server_metadata_url", "client_kwargs"}


def require_access(gate: Gate) -> None:
    """Let the visitor in or ``st.stop()``."""
    if gate.auth:
        _oidc(gate)
        return
    if gate.password_sha256:
        _password(gate.password_sha256, gate.max_password_tries)


def _stop_closed(message: str) -> None:
    st.error(message, icon=":material/lock:")
    st.stop()


# -- 1. OIDC --------------------------------------------------------------------------------
def _oidc(gate: Gate) -> None:
    if not st.user.get("is_logged_in", False):
        providers = _providers(gate)
        st.title(":material/lock: Sign in")
        st.write("This dashboard is private. Sign in to continue.")
        for name in providers:
            label = "Log in" if name is None else f"Log in with {name.capitalize()}"
            if st.button(label, key=f"_gate_login_{name or 'default'}", type="primary",
                         icon=":material/login:"):
                try:
                    st.login() if name is None else st.login(name)
                except Exception as exc:  # e.g. Authlib missing, or [auth] incomplete: stay closed
                    log.error("gate: login could not start: %s", type(exc).__name__)
                    _stop_closed(f"The sign-in could not start: {exc}")
        st.stop()
    email = str(st.user.get("email") or "").strip().lower()
    if not _allowed(email, gate):
        log.warning("gate: signed-in user not on the allow list")
        with st.sidebar:
            st.button("Log out", key="_gate_logout", icon=":material/logout:", on_click=_logout)
        _stop_closed(f"{md_text(email) or 'This account'} is not allowed to see this dashboard. "
                     "Log out and sign in with another account, or ask the administrator.")
    with st.sidebar:
        st.caption(f"Signed in as {md_text(email or st.user.get('name')) or 'you'}")
        st.button("Log out", key="_gate_logout", icon=":material/logout:", on_click=_logout)


def _providers(gate: Gate) -> list[str | None]:
    """The provider names to offer: ``None`` stands for the unnamed default provider."""
    if gate.auth_provider:
        return [gate.auth_provider]
    named = [name for name, value in gate.auth.items() if isinstance(value, Mapping) and name not in _AUTH_SHARED]
    return named or [None]


def _allowed(email: str, gate: Gate) -> bool:
    emails = {e.lower() for e in gate.allowed_emails}
    domains = {d.lower().lstrip("@") for d in gate.allowed_email_domains}
    if not emails and not domains:
        return True
    return bool(email) and (email in emails or email.rpartition("@")[2] in domains)


# -- 2. shared password ---------------------------------------------------------------------
def _password(expected: str, max_password_tries: str) -> None:
    if not is_sha256_hex(expected):
        _stop_closed("The access password is misconfigured: `password_sha256` must be the 64 hex digits of a "
                     "SHA-256 digest, not the password itself. See docs/deploy.md.")
    try:
        max_tries = int(max_password_tries or DEFAULT_MAX_TRIES)
        if max_tries < 1:
            raise ValueError
    except ValueError:
        _stop_closed("The access gate is misconfigured: `max_password_tries` must be a whole number of 1 or more.")
    # the session remembers a digest of the expected hash: changing the password locks sessions out again
    token = hashlib.sha256(b"aivis-gate\0" + expected.encode()).hexdigest()
    if hmac.compare_digest(str(st.session_state.get(_PASSED, "")), token):
        with st.sidebar:
            st.button("Lock", key="_gate_lock", icon=":material/lock:", on_click=_lock,
                      help="Forget the password in this browser tab.")
        return
    st.title(":material/lock: This dashboard is private")
    tries = int(st.session_state.get(_TRIES, 0))
    if tries >= max_tries:
        _stop_closed("Too many wrong passwords in this session. Reload the page later to try again.")
    with st.form("_gate_form", border=False, enter_to_submit=True):
        st.text_input("Password", type="password", key=_WIDGET, autocomplete="current-password")
        st.form_submit_button("Enter", type="primary", icon=":material/key:", on_click=_check,
                              args=(expected, token, max_tries))
    if tries:
        st.warning(f"Wrong password ({tries} of {max_tries} tries used).", icon=":material/warning:")
    st.stop()


def _check(expected: str, token: str, max_tries: int) -> None:
    """The form's callback: compare, count, and clear the typed text, in that order."""
    typed = str(st.session_state.get(_WIDGET) or "")
    st.session_state[_WIDGET] = ""  # the typed password leaves the session here
    if not typed:
        return
    digest = hashlib.sha256(typed.encode("utf-8")).hexdigest()
    del typed
    if hmac.compare_digest(digest.encode(), expected.encode()):
        st.session_state[_PASSED] = token
        st.session_state.pop(_TRIES, None)
        log.info("gate: password accepted")
        return
    tries = int(st.session_state.get(_TRIES, 0)) + 1
    st.session_state[_TRIES] = tries
    log.warning("gate: wrong password (try %d of %d in this session)", tries, max_tries)


def _logout() -> None:
    st.logout()  # looked up at click time


def _lock() -> None:
    st.session_state.pop(_PASSED, None)
