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


def safe_link(url: object) -> str | None:
    """The URL if it is an http(s) link with a host, else None (``javascript:``, ``data:``, junk)."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


@lru_cache(maxsize=200_000)
def host_of(url: str) -> str | None:
    """The lower-case host of an http(s) URL without a leading ``www.``; None for non-links."""
    if not safe_link(url):
        return None
    host = urlsplit(url.strip()).hostname or ""
    return _clean_host(host)


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
    host = host_of(url) if isinstance(url, str) else None
    return host in REDIRECT_HOSTS


def _host_from_title(title: object) -> str | None:
    """A Gemini redirect's title is the site's bare domain (``grandviewresearch.com``)."""
    if not isinstance(title, str) or " " in title.strip() or "." not in title:
        return None
    return host_of("https://" + title.strip().split("/")[0])


def cited_host(url: object, direct_url: object = None, title: object = None) -> str | None:
    """The host of the site a citation credits, by the rules in this module's docstring."""
    if safe_link(direct_url):
        return host_of(direct_url.strip())
    if is_redirect(url):
        return _host_from_title(title)
    return host_of(url.strip()) if safe_link(url) else None


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
