"""core.domains: which site a citation credits."""
from __future__ import annotations

import socket

import pytest

from core import domains


def cited_host(url, direct_url=None, title=None):
    """The credited site's host, as ``domains.attribute`` gives it."""
    return domains.attribute(url, direct_url, title)[1]

REDIRECT = "https://vertexaisearch.cloud.google.com/grounding-api-redirect/AUZIYQPtYgjmUhBel31iEl2h=="


def test_direct_url_wins():
    assert cited_host(REDIRECT, "https://www.g2.com/products/asana/reviews", "g2.com") == "g2.com"
    assert cited_host("https://example.org/a", "https://docs.python.org/3/", "Python") == "docs.python.org"


def test_vertex_redirect_without_direct_url_credits_the_title():
    assert domains.is_redirect(REDIRECT)
    assert cited_host(REDIRECT, None, "grandviewresearch.com") == "grandviewresearch.com"
    assert cited_host(REDIRECT, "", "www.Wrike.com") == "wrike.com"
    assert cited_host(REDIRECT, "javascript:alert(1)", "wrike.com") == "wrike.com"


@pytest.mark.parametrize("title", [None, "", "Grand View Research", "no dot", 42])
def test_redirect_with_an_unusable_title_credits_nobody_not_google(title):
    assert cited_host(REDIRECT, None, title) is None


def test_sample_gemini_annotations(sample):
    annotations = sample("gemini_direct_url")["tasks"][0]["result"][0]["items"][1]["sections"][0]["annotations"]
    hosts = [cited_host(a["url"], a.get("direct_url"), a["title"]) for a in annotations]
    for annotation, host in zip(annotations, hosts):
        if annotation.get("direct_url"):
            assert host == annotation["direct_url"].split("/")[2].removeprefix("www.")
        else:
            assert host == annotation["title"]
    assert "google.com" not in " ".join(hosts)


def test_plain_url_credits_its_host():
    assert cited_host("https://www.atlassian.com/software/jira?utm_source=chatgpt.com") == "atlassian.com"
    assert cited_host("HTTP://Help.Asana.COM:443/s/article") == "help.asana.com"
    assert cited_host("  https://linear.app/pricing  ", None, "Pricing – Linear") == "linear.app"


@pytest.mark.parametrize("host, domain", [
    ("news.bbc.co.uk", "bbc.co.uk"),
    ("bbc.co.uk", "bbc.co.uk"),
    ("shop.example.com.au", "example.com.au"),
    ("example.com.au", "example.com.au"),
    ("help.asana.com", "asana.com"),
    ("a.b.c.example.org", "example.org"),
    ("user.github.io", "user.github.io"),  # a private suffix: each site under it is its own registrant
    ("blog.user.github.io", "user.github.io"),
    ("localhost", "localhost"),
])
def test_registrable_domain(host, domain):
    assert domains.registrable_domain(host) == domain


@pytest.mark.parametrize("url, host", [
    ("http://192.168.1.10:8080/page", "192.168.1.10"),
    ("https://[2001:db8::1]/page", "2001:db8::1"),
    ("https://[2001:DB8::1]:8443/", "2001:db8::1"),
])
def test_ip_addresses_stay_themselves(url, host):
    assert cited_host(url) == host
    assert domains.registrable_domain(host) == host


@pytest.mark.parametrize("url", [
    "https://xn--bcher-kva.de/buch",
    "https://www.bücher.de/buch",
    "https://WWW.BÜCHER.DE/",
    "https://shop.xn--bcher-kva.de/",
])
def test_internationalized_names_read_the_same(url):
    host = cited_host(url)
    assert host.endswith("bücher.de") and "xn--" not in host
    assert domains.registrable_domain(host) == "bücher.de"


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "  JavaScript:alert(document.domain)", "data:text/html,<script>alert(1)</script>",
    "ftp://files.example.com/a.zip", "file:///etc/passwd", "mailto:a@example.com", "//example.com/x",
    "example.com", "not a url", "", "   ", "http://", "https:///path", "http://[::1", None, 42, ["x"],
])
def test_non_links_have_no_domain(url):
    assert domains.safe_link(url) is None
    assert cited_host(url) is None
    assert cited_host(url, url, url) is None
    assert not domains.is_redirect(url)


def test_hostile_sample_credits_only_the_real_link(sample):
    annotations = sample("hostile")["tasks"][0]["result"][0]["items"][0]["sections"][0]["annotations"]
    hosts = [cited_host(a["url"], a.get("direct_url"), a["title"]) for a in annotations]
    assert hosts == [None, None, None, "g2.com"]


def test_www_is_stripped_once():
    assert domains.host_of("https://www.example.com/") == "example.com"
    assert domains.host_of("https://www2.example.com/") == "www2.example.com"
    assert domains.host_of("https://example.com./") == "example.com"


def test_registrable_domain_of_nothing():
    assert domains.registrable_domain(None) is None
    assert domains.registrable_domain("") is None


def test_no_network_request_for_domains(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("tldextract tried to use the network")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    import requests
    monkeypatch.setattr(requests.Session, "request", refuse)
    import tldextract
    fresh = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None,  # what core.domains builds
                                  include_psl_private_domains=True)
    assert fresh("deep.sub.never-seen-before-9f3a.co.uk").top_domain_under_public_suffix == \
        "never-seen-before-9f3a.co.uk"
    # and the module's own extractor, on hosts it cannot have cached
    assert domains.registrable_domain("x.fresh-host-71c2.com.au") == "fresh-host-71c2.com.au"
    assert domains.registrable_domain("y.fresh-host-71c2.org") == "fresh-host-71c2.org"


@pytest.mark.parametrize("url", ["https://xn--pple-43d.com/x", "https://\u0430pple.com/x",  # Cyrillic а
                                 "https://xn--80ak6aa92e.com/"])  # аррӏе.com, every letter Cyrillic
def test_a_look_alike_host_stays_ascii_and_is_flagged(url):
    host = domains.host_of(url)
    assert host.isascii() and host.startswith("xn--") and host != "apple.com"
    assert domains.mixed_script(host)
    assert domains.registrable_domain(host) == host


@pytest.mark.parametrize("url, shown", [("https://xn--bcher-kva.de/", "bücher.de"),
                                        ("https://xn--e1afmkfd.xn--p1ai/", "пример.рф"),
                                        ("https://例え.jp/", "例え.jp"), ("https://apple.com/", "apple.com")])
def test_a_host_in_one_script_is_shown_as_read_and_not_flagged(url, shown):
    assert domains.host_of(url) == shown and not domains.mixed_script(shown)


def test_bidi_controls_are_removed_from_hosts():
    assert domains.host_of("https://moc.\u202eelppa.example.com/") == "moc.elppa.example.com"
    assert domains.attribute("https://\u2066evil\u2069.com/a")[1] == "evil.com"
    assert not domains.mixed_script(None)
