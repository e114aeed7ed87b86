"""Which site a citation credits, as a host and a registrable domain.

The cited site is the host of ``direct_url`` when present; else, for a Vertex AI
grounding redirect (Gemini), ``title``, which holds the bare domain; else the host of
``url``. Only http/https URLs count as links. Domains come from ``tldextract``'s bundled
Public Suffix List snapshot: nothing is downloaded at run time.

An internationalized host is shown as people read it (``bücher.de``) unless that could deceive: a
label that mixes scripts, or one in a script with Latin look-alikes (Cyrillic, Greek, ...) under a
top-level domain of another script, stays in its ASCII form (``xn--pple-43d.com``, never ``аpple.com``)
and :func:`mixed_script` flags it. Bidi controls are removed from hosts.
"""
from __future__ import annotations

import ipaddress
import unicodedata
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

from core.text import without_bidi

REDIRECT_HOSTS = ("vertexaisearch.cloud.google.com",)
# scripts with letters that look like Latin ones (а е о р с у х, ο ν, ս օ ...)
_LOOKALIKE_SCRIPTS = frozenset({"CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC", "GEORGIAN"})
_ONE_SCRIPT = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "HANGUL": "CJK", "KATAKANA-HIRAGANA": "CJK"}  # written together
# Private suffixes too (github.io, com.de): each site under them is its own registrant.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def _split(url: object) -> tuple[str | None, str | None]:
    """``(url, host)`` for an http(s) URL with a host, else ``(None, None)``; parsed once."""
    return _split_text(url) if isinstance(url, str) else (None, None)


@lru_cache(maxsize=32_768)  # the same pages are cited day after day: urlsplit was a tenth of an import's time
def _split_text(url: str) -> tuple[str | None, str | None]:
    url = url.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None, None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None, None
    return url, _clean_host(host)


def safe_link(url: object) -> str | None:
    """The URL if it is an http(s) link with a host, else None (``javascript:``, ``data:``, junk)."""
    return _split(url)[0]


def host_of(url: object) -> str | None:
    """The lower-case host of an http(s) URL without a leading ``www.``; None for non-links."""
    return _split(url)[1]


@lru_cache(maxsize=100_000)
def _clean_host(host: str) -> str | None:
    host = without_bidi(host).strip().strip(".").lower()
    if host.startswith("www."):
        host = host[4:]
    if not host:
        return None
    readable = _unicode_form(host)
    if readable is None or _deceptive(readable):
        return _ascii_form(host)
    return readable


def _unicode_form(host: str) -> str | None:
    """The host as people read it (``xn--`` labels decoded); None if it does not decode."""
    if "xn--" not in host:
        return host
    try:
        return host.encode("ascii").decode("idna")
    except UnicodeError:
        return None


def _ascii_form(host: str) -> str:
    """The host's ASCII (punycode) form; itself if it has none."""
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    script = "CJK" if name.startswith("CJK") else name.split(" ")[0]
    return _ONE_SCRIPT.get(script, script)


def _scripts(label: str) -> set[str]:
    return {_script(char) for char in label if char.isalpha()}


def _deceptive(host: str) -> bool:
    """True when a label mixes scripts, or uses a script of Latin look-alikes under a TLD of another."""
    if host.isascii():
        return False
    labels = host.split(".")
    tld_scripts = _scripts(labels[-1])
    for label in labels:
        scripts = _scripts(label)
        if len(scripts) > 1 or (scripts & _LOOKALIKE_SCRIPTS and scripts != tld_scripts):
            return True
    return False


@lru_cache(maxsize=100_000)
def mixed_script(host: str | None) -> bool:
    """True for a host whose readable form could pass for another site's (``xn--pple-43d.com``)."""
    if not host:
        return False
    readable = _unicode_form(host)
    return readable is not None and _deceptive(readable)


def is_redirect(url: object) -> bool:
    """True for a Gemini Vertex AI grounding redirect, which hides the real site."""
    return _split(url)[1] in REDIRECT_HOSTS


@lru_cache(maxsize=100_000)
def _host_from_title(title: object) -> str | None:
    """A Gemini redirect's title is the site's bare domain (``grandviewresearch.com``)."""
    if not isinstance(title, str) or " " in title.strip() or "." not in title:
        return None
    return host_of("https://" + title.strip().split("/")[0])


def attribute(url: object, direct_url: object = None, title: object = None) -> tuple[str | None, str | None, bool]:
    """``(link, host, is_redirect)`` of a citation: the safe link to click, the credited site's host
    by the rules in this module's docstring, and whether ``url`` is a Vertex AI redirect."""
    direct, direct_host = _split(direct_url)
    link, url_host = _split(url)
    redirect = url_host in REDIRECT_HOSTS
    if direct:
        return direct, direct_host, redirect
    return link, _host_from_title(title) if redirect else url_host, redirect


@lru_cache(maxsize=10_000)
def public_suffix(host: str | None) -> str:
    """The host's public suffix (``com``, ``co.uk``, ``github.io``); "" when it ends in none (``node.js``)."""
    return _EXTRACT(host).suffix if host else ""


@lru_cache(maxsize=200_000)
def registrable_domain(host: str | None) -> str | None:
    """``bbc.co.uk`` for ``news.bbc.co.uk``; an IP address or a bare name stays itself."""
    if not host:
        return None
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host
    except ValueError:
        pass
    extracted = _EXTRACT(host)
    return extracted.top_domain_under_public_suffix or host
