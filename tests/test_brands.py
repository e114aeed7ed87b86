"""core.brands: quick entry, normalized domains, the brands file and the shared-link encoding."""
from __future__ import annotations

import json

import pytest

from core.brands import (Brand, BrandSet, BrandsFileError, brands_from_dict, brands_to_dict, from_query,
                         load_brands, normalize_domain, quick_entry, save_brands, to_query)

CONTRACT = {"brands": [{"name": "Acme", "aliases": ["Acme Cloud"], "domains": ["acme.com"]}],
            "competitors": [{"name": "Globex", "aliases": [], "domains": ["globex.io"]}]}


@pytest.mark.parametrize("text, domain", [
    ("asana.com", "asana.com"), ("www.notion.so", "notion.so"), ("https://www.notion.so/pricing", "notion.so"),
    ("https://trello.com/", "trello.com"), ("  HTTP://Blog.Asana.COM/x?y=1 ", "asana.com"),
    ("news.bbc.co.uk", "bbc.co.uk"), ("acme.github.io", "acme.github.io"),
    ("Acme", None), ("node.js", None), ("co.uk", None), ("1.2.3.4", None), ("not a domain.com", None), ("", None)])
def test_normalize_domain(text, domain):
    assert normalize_domain(text) == domain


def test_quick_entry_domain_and_name():
    parsed = quick_entry("asana.com, Acme", "https://www.notion.so/pricing\nwww.trello.com")
    asana, acme = parsed.brands.brands
    assert (asana.name, asana.aliases, asana.domains, asana.role) == ("Asana", ("Asana", "asana.com"),
                                                                     ("asana.com",), "brand")
    assert (acme.name, acme.aliases, acme.domains) == ("Acme", ("Acme",), ())
    assert [(b.name, b.domains, b.role) for b in parsed.brands.competitors] == [
        ("Notion", ("notion.so",), "competitor"), ("Trello", ("trello.com",), "competitor")]
    assert not parsed.unreadable and not parsed.notes


def test_quick_entry_reports_what_it_cannot_read():
    parsed = quick_entry(["https://exa mple/", "!!!", "Node.js", "Asana", "asana.com"], "notion.so, ASANA")
    unreadable = dict(parsed.unreadable)
    assert set(unreadable) == {"https://exa mple/", "!!!", "ASANA"}
    assert "already tracked as our brand Asana" in unreadable["ASANA"]
    assert dict(parsed.notes) == {"Node.js": "has no known domain ending: tracked as a name only"}
    asana = parsed.brands.brands[1]  # "Asana" and "asana.com" merged into one brand
    assert (asana.name, asana.aliases, asana.domains) == ("Asana", ("Asana", "asana.com"), ("asana.com",))
    assert [b.name for b in parsed.brands.all] == ["Node.js", "Asana", "Notion"]


def test_brand_name_is_an_alias_and_values_are_cleaned():
    brand = Brand("  Acme   Cloud ", ("acme cloud", "ACME", "Acme"), ("https://www.acme.com/", "acme.com"))
    assert brand.aliases == ("Acme Cloud", "ACME") and brand.domains == ("acme.com",)
    for bad in (dict(name=" "), dict(name="Acme", aliases=("***",)), dict(name="Acme", domains=("acme",)),
                dict(name="Acme", role="rival")):
        with pytest.raises(ValueError):
            Brand(**bad)


def test_an_alias_belongs_to_one_brand():
    with pytest.raises(ValueError, match="'notion' is both 'Notion' and 'Notion Labs'"):
        BrandSet((Brand("Notion"),), (Brand("Notion Labs", ("notion",)),))
    roles = BrandSet((Brand("Acme", role="competitor"),), (Brand("Globex"),))
    assert [b.role for b in roles.all] == ["brand", "competitor"] and roles.names("competitor") == ["Globex"]


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_brands_file_round_trip(tmp_path, suffix):
    brands = brands_from_dict(CONTRACT)
    assert brands.brands[0].aliases == ("Acme", "Acme Cloud")  # the name is an alias too
    path = tmp_path / f"brands{suffix}"
    save_brands(brands, path)
    assert load_brands(path) == brands
    assert brands_to_dict(load_brands(path)) == CONTRACT


def test_brands_file_sniffs_an_unknown_suffix(tmp_path):
    (tmp_path / "b.txt").write_text(json.dumps(CONTRACT))
    (tmp_path / "c.cfg").write_text('[[competitors]]\nname = "Globex"\n')
    assert load_brands(tmp_path / "b.txt") == brands_from_dict(CONTRACT)
    assert load_brands(tmp_path / "c.cfg").names() == ["Globex"]


@pytest.mark.parametrize("name, content, problem", [
    ("a.json", '{"brands": [', "not valid JSON"),
    ("a.toml", "brands = [[", "not valid TOML"),
    ("a.json", "[]", "top level"),
    ("a.json", '{"brand": []}', "unknown key 'brand'"),
    ("a.json", '{"brands": {"name": "Acme"}}', "'brands' must be a list"),
    ("a.json", '{"brands": [{"aliases": ["x"]}]}', "brands[0]: 'name' must be a non-empty string"),
    ("a.json", '{"brands": [{"name": "Acme", "domains": "acme.com"}]}', "brands[0].domains must be a list"),
    ("a.json", '{"competitors": [{"name": "G", "domains": ["not a domain"]}]}', "competitors[0]: 'not a domain'"),
    ("a.json", '{"brands": [{"name": "Acme", "colour": "red"}]}', "unknown key 'colour'"),
    ("a.json", '{"brands": [{"name": "A"}], "competitors": [{"name": "B", "aliases": ["a"]}]}', "both"),
    ("a.json", '{"brands": []}', "no brands defined"),
])
def test_malformed_brands_file(tmp_path, name, content, problem):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(BrandsFileError) as error:
        load_brands(path)
    message = str(error.value)
    assert message.startswith(f"{path}: ") and problem in message and "\n" not in message


def test_missing_or_binary_brands_file(tmp_path):
    with pytest.raises(BrandsFileError, match="cannot read"):
        load_brands(tmp_path / "nowhere.json")
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(BrandsFileError, match="not UTF-8"):
        load_brands(tmp_path / "bin.json")


def test_link_encoding_round_trips_untrusted_text():
    brands = BrandSet(
        (Brand("monday.com".split(".")[0].title(), ("monday.com",), ("monday.com",)),
         Brand("Acme, Inc | 50% off", ("@acme", "<script>alert(1)</script>", "我们的Acme"), ("https://www.acme.com/",))),
        (Brand("Globex", (), ("globex.io",)), Brand("Node.js"), Brand("Initech")))
    query = to_query(brands)
    assert query["brand"].split(",")[0] == "monday.com"  # the quick-entry form when it says it all
    assert query["competitor"].split(",")[2] == "Initech"
    parsed = from_query(**query)
    assert parsed.brands == brands and not parsed.unreadable
    assert to_query(parsed.brands) == query  # deterministic
    assert to_query(BrandSet()) == {}


def test_old_links_and_bad_entries():
    parsed = from_query("monday.com", "asana.com,clickup.com,|@x.com,Acme|@not a domain")
    assert parsed.brands.names() == ["Monday", "Asana", "Clickup"]
    assert [text for text, _ in parsed.unreadable] == ["|@x.com", "Acme|@not a domain"]
