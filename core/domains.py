"""Which site a citation credits, as a host and a registrable domain.

The cited site is the host of ``direct_url`` when present; else, for a Vertex AI
grounding redirect (Gemini), ``title``, which holds the bare domain; else the host of
``url``. Only http/https URLs count as links. Domains come from ``tldextract``'s bundled
Public Suffix List snapshot: nothing is downloaded at run time.
"""
from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

REDIRECT_HOSTS = ("vertexaisearch.cloud.google.com",)
# Private suffixes too (github.io, com.de): each site under them is its own registrant.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def _split(url: object) -> tuple[str | None, str | None]:
    """``(url, host)`` for an http(s) URL with a host, else ``(None, None)``; parsed once."""
    if not isinstance(url, str):
        return None, None
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
    host = host.strip().strip(".").lower()
    if host.startswith("www."):
        host = host[4:]
    if not host:
        return None
    if "xn--" in host:  # show internationalized names as people read them
        try:
            host = host.encode("ascii").decode("idna")
        except UnicodeError:
            pass
    return host


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
