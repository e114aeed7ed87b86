"""Tracked brands: ours and competitors, each a name, aliases and domains.

Where definitions come from: quick entry (``asana.com`` is the brand "Asana", aliases
"Asana" and "asana.com", domain asana.com; ``Acme`` is a name with no domain), a
brands file (JSON or TOML, ``{"brands": [...], "competitors": [...]}``), or a shared
link (``to_query`` / ``from_query``). Pasted domains are normalized
(``https://www.notion.so/pricing`` is notion.so) and every entry that cannot be read is
returned with the reason, so nothing becomes a silent 0. Names and aliases are
untrusted user text: kept as data, never interpreted. No I/O beside
``load_brands``/``save_brands``.
"""
from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable
from urllib.parse import unquote

import tomli_w

from core.domains import host_of, public_suffix, registrable_domain

BRAND, COMPETITOR = "brand", "competitor"
ROLES = (BRAND, COMPETITOR)
FILE_KEYS = {BRAND: "brands", COMPETITOR: "competitors"}  # role -> key of the brands file
MAX_TEXT = 100  # characters of a name or an alias
_ENTRY_SEPARATORS = re.compile(r"[,;\n\r]+")
_QUOTES = "\"'`“”‘’<>"
_HOST = re.compile(r"(?:[^\W_](?:[^\W_]|-)*\.)+[^\W_](?:[^\W_]|-)*")
_HAS_WORD = re.compile(r"[^\W_]")
_RESERVED = "%,|@;"  # escaped in a link's fields


def normalize_domain(text: str) -> str | None:
    """The registrable domain of a pasted domain or URL (``https://www.notion.so/pricing`` is
    notion.so), or None when it is not one (no known ending such as .com or .co.uk)."""
    text = (text or "").strip().strip(_QUOTES).strip()
    if not text or any(c.isspace() for c in text):
        return None
    host = host_of(text if "://" in text else "https://" + text)
    if not host or not _HOST.fullmatch(host) or not public_suffix(host):
        return None
    domain = registrable_domain(host)
    return domain if domain and domain != public_suffix(host) else None


def _clean(text: object) -> str:
    return " ".join(str(text).split()) if text is not None else ""


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    """First-seen order, without empties or repeats in any letter case."""
    seen: dict[str, str] = {}
    for value in values:
        if value and value.casefold() not in seen:
            seen[value.casefold()] = value
    return tuple(seen.values())


@dataclass(frozen=True)
class Brand:
    """A tracked brand. ``aliases`` always starts with the name; ``domains`` are registrable
    domains (normalized here, so ``www.notion.so`` is notion.so). Raises ValueError for a
    name, alias or domain that cannot be used, saying which."""

    name: str
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    role: str = BRAND

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role {self.role!r} is neither {BRAND!r} nor {COMPETITOR!r}")
        name = _clean(self.name)
        if not name:
            raise ValueError("a brand needs a name")
        aliases = _unique([name, *(_clean(a) for a in self.aliases)])
        for alias in aliases:
            if len(alias) > MAX_TEXT:
                raise ValueError(f"{alias[:40]!r}... is longer than {MAX_TEXT} characters")
            if not _HAS_WORD.search(alias):
                raise ValueError(f"{alias!r} has no letter or digit to look for")
        domains = []
        for text in self.domains:
            domain = normalize_domain(text)
            if domain is None:
                raise ValueError(f"{_clean(text)[:60]!r} is not a domain (like example.com)")
            domains.append(domain)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "aliases", aliases)
        object.__setattr__(self, "domains", _unique(domains))


@dataclass(frozen=True)
class BrandSet:
    """Our brands and the competitors, ours first. Names and aliases are unique across the set
    (any letter case), so every mention belongs to exactly one brand; ValueError otherwise."""

    brands: tuple[Brand, ...] = ()
    competitors: tuple[Brand, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "brands", tuple(replace(b, role=BRAND) for b in self.brands))
        object.__setattr__(self, "competitors", tuple(replace(b, role=COMPETITOR) for b in self.competitors))
        owner: dict[str, str] = {}
        for brand in self.all:
            for alias in brand.aliases:
                other = owner.setdefault(alias.casefold(), brand.name)
                if other != brand.name:
                    raise ValueError(f"{alias!r} is both {other!r} and {brand.name!r}: a name or alias "
                                     "can belong to one brand only")
            if brand.name.casefold() in {b.name.casefold() for b in self.all if b is not brand}:
                raise ValueError(f"{brand.name!r} is listed twice")

    @property
    def all(self) -> tuple[Brand, ...]:
        return (*self.brands, *self.competitors)

    def names(self, role: str | None = None) -> list[str]:
        return [b.name for b in self.all if role in (None, b.role)]

    def domains(self, role: str | None = None) -> list[str]:
        """The tracked domains (of one role, or all), in order."""
        return list(dict.fromkeys(d for b in self.all if role in (None, b.role) for d in b.domains))

    def __bool__(self) -> bool:
        return bool(self.brands or self.competitors)


@dataclass
class ParsedBrands:
    """What was read: the brands, and ``(text, reason)`` for each entry dropped (``unreadable``)
    or kept with a caveat (``notes``), so a page can name each one."""

    brands: BrandSet = field(default_factory=BrandSet)
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)


# --- Quick entry ---------------------------------------------------------------------------------

def quick_brand(token: str, role: str = BRAND) -> tuple[Brand, str | None]:
    """The brand one typed entry stands for, and a caveat or None. A domain or URL gives the
    brand named after it (``asana.com`` -> "Asana", aliases "Asana" and "asana.com"); other
    text is a name. Raises ValueError saying why an entry cannot be read."""
    text = _clean(token).strip(_QUOTES).strip()
    looks_like_address = " " not in text and any(c in text for c in "./:")
    domain = normalize_domain(text) if looks_like_address else None
    if domain:
        label = domain.split(".")[0]
        return Brand(label[:1].upper() + label[1:], (domain,), (domain,), role), None
    if "://" in text or (looks_like_address and "/" in text):
        raise ValueError("is not a web address with a known domain ending (like example.com)")
    if not _HAS_WORD.search(text):
        raise ValueError("has no letter or digit to look for")
    if len(text) > MAX_TEXT:
        raise ValueError(f"is longer than {MAX_TEXT} characters")
    note = "has no known domain ending: tracked as a name only" if looks_like_address and "." in text else None
    return Brand(text, (), (), role), note


def _merge(brand: Brand, into: Brand) -> Brand:
    return replace(into, aliases=into.aliases + brand.aliases, domains=into.domains + brand.domains)


def quick_entry(brands: str | Iterable[str] = "", competitors: str | Iterable[str] = "") -> ParsedBrands:
    """A BrandSet from typed entries (text split at commas, semicolons and new lines, or a list).
    Entries naming the same brand merge (``Asana, asana.com``); an entry whose name or alias
    another brand already has is dropped, with the reason."""
    parsed = ParsedBrands()
    chosen: dict[str, list[Brand]] = {BRAND: [], COMPETITOR: []}
    for role, entries in ((BRAND, brands), (COMPETITOR, competitors)):
        tokens = _ENTRY_SEPARATORS.split(entries) if isinstance(entries, str) else list(entries)
        for token in filter(None, (_clean(t) for t in tokens)):
            try:
                brand, note = quick_brand(token, role)
            except ValueError as exc:
                parsed.unreadable.append((token, str(exc)))
                continue
            _add(brand, token, chosen, parsed)
            if note:
                parsed.notes.append((token, note))
    parsed.brands = BrandSet(tuple(chosen[BRAND]), tuple(chosen[COMPETITOR]))
    return parsed


def _add(brand: Brand, token: str, chosen: dict[str, list[Brand]], parsed: ParsedBrands) -> None:
    """Merge ``brand`` into a same-named one of its role, or append it, unless one of its names
    or aliases is another brand's (then it is dropped, with the reason)."""
    own = chosen[brand.role]
    same = next((i for i, b in enumerate(own) if b.name.casefold() == brand.name.casefold()), None)
    merged = brand if same is None else _merge(brand, own[same])
    others = [b for role in ROLES for b in chosen[role] if same is None or b is not own[same]]
    taken = {a.casefold(): b for b in others for a in b.aliases}
    clash = next((taken[a.casefold()] for a in merged.aliases if a.casefold() in taken), None)
    if clash:
        whose = "our brand" if clash.role == BRAND else "the competitor"
        parsed.unreadable.append((token, f"is already tracked as {whose} {clash.name}"))
    elif same is None:
        own.append(merged)
    else:
        own[same] = merged


# --- Brands file -----------------------------------------------------------------------------------

class BrandsFileError(ValueError):
    """A brands file that cannot be used; the message is one line naming the file and the problem."""


def brands_to_dict(brands: BrandSet) -> dict[str, list[dict[str, object]]]:
    """The brands-file shape; aliases leave out the name (always an alias anyway)."""
    return {FILE_KEYS[role]: [{"name": b.name, "aliases": list(b.aliases[1:]), "domains": list(b.domains)}
                              for b in brands.all if b.role == role] for role in ROLES}


def brands_from_dict(data: object) -> BrandSet:
    """A BrandSet from the brands-file shape; ValueError naming the first entry that is wrong."""
    if not isinstance(data, dict):
        raise ValueError("the top level must be a table/object with 'brands' and 'competitors'")
    unknown = sorted(set(data) - set(FILE_KEYS.values()))
    if unknown:
        raise ValueError(f"unknown key {unknown[0][:40]!r} (expected 'brands' and 'competitors')")
    chosen: dict[str, list[Brand]] = {}
    for role, key in FILE_KEYS.items():
        entries = data.get(key, [])
        if not isinstance(entries, list):
            raise ValueError(f"'{key}' must be a list of brands")
        chosen[role] = [_brand_entry(entry, f"{key}[{i}]", role) for i, entry in enumerate(entries)]
    if not any(chosen.values()):
        raise ValueError("no brands defined: give at least one under 'brands' or 'competitors'")
    return BrandSet(tuple(chosen[BRAND]), tuple(chosen[COMPETITOR]))


def _brand_entry(entry: object, where: str, role: str) -> Brand:
    if not isinstance(entry, dict):
        raise ValueError(f"{where} must be a table/object with name, aliases and domains")
    unknown = sorted(set(entry) - {"name", "aliases", "domains"})
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0][:40]!r} (expected name, aliases, domains)")
    if not isinstance(entry.get("name"), str) or not entry["name"].strip():
        raise ValueError(f"{where}: 'name' must be a non-empty string")
    lists = {}
    for key in ("aliases", "domains"):
        values = entry.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ValueError(f"{where}.{key} must be a list of strings")
        lists[key] = tuple(values)
    try:
        return Brand(entry["name"], lists["aliases"], lists["domains"], role)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


def _is_toml(path: Path, text: str) -> bool:
    suffix = path.suffix.lower()
    return suffix == ".toml" or (suffix != ".json" and not text.lstrip().startswith("{"))


def load_brands(path: str | Path) -> BrandSet:
    """Read a brands file (``.json`` or ``.toml``; another suffix is sniffed); BrandsFileError if
    it cannot be read or is not in the brands-file shape."""
    try:
        content = Path(path).read_bytes()
    except OSError as exc:
        raise BrandsFileError(f"{path}: cannot read it ({exc.strerror})") from None
    return brands_from_text(content, path)


def brands_from_text(content: bytes, name: str | Path) -> BrandSet:
    """A brands file's content (an upload, or a file read by :func:`load_brands`); ``name`` is shown
    in errors and its suffix says JSON or TOML."""
    path = Path(name)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BrandsFileError(f"{path}: not UTF-8 text") from None
    try:
        data = tomllib.loads(text) if _is_toml(path, text) else json.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BrandsFileError(f"{path}: not valid TOML ({_clean(exc)})") from None
    except json.JSONDecodeError as exc:
        raise BrandsFileError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    try:
        return brands_from_dict(data)
    except ValueError as exc:
        raise BrandsFileError(f"{path}: {exc}") from None


def save_brands(brands: BrandSet, path: str | Path) -> None:
    """Write a brands file: TOML for a ``.toml`` path, else JSON."""
    path = Path(path)
    text = tomli_w.dumps(brands_to_dict(brands)) if path.suffix.lower() == ".toml" else brands_json(brands).decode()
    path.write_text(text, encoding="utf-8")


def brands_json(brands: BrandSet) -> bytes:
    """The brands file as JSON (what the app's download gives)."""
    return (json.dumps(brands_to_dict(brands), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def definitions_from_rows(rows: Iterable[dict[str, object]]) -> ParsedBrands:
    """A BrandSet from edited table rows (role, name, comma-separated aliases and domains); a row that
    cannot be read, or repeats another brand's alias, is named with the reason."""
    parsed = ParsedBrands()
    chosen: dict[str, list[Brand]] = {BRAND: [], COMPETITOR: []}
    for row in rows:
        name = _clean(row.get("name") or "")
        if not name:
            continue
        role = row.get("role") if row.get("role") in ROLES else COMPETITOR
        aliases, domains = (tuple(p.strip() for p in _ENTRY_SEPARATORS.split(str(row.get(key) or "")) if p.strip())
                            for key in ("aliases", "domains"))
        try:
            brand = Brand(name, aliases, domains, role)
        except ValueError as exc:
            parsed.unreadable.append((name, str(exc)))
            continue
        _add(brand, name, chosen, parsed)
    parsed.brands = BrandSet(tuple(chosen[BRAND]), tuple(chosen[COMPETITOR]))
    return parsed


# --- Shared link -----------------------------------------------------------------------------------

def _escape(text: str) -> str:
    return "".join(f"%{ord(c):02X}" if c in _RESERVED else c for c in text)


def _entry(brand: Brand) -> str:
    """The shortest form that reads back as ``brand``: the quick-entry text when that is it
    (``asana.com``, ``Acme``), else ``name|alias|...|@domain|...``."""
    for token in (*brand.domains[:1], brand.name):
        try:
            if quick_brand(token, brand.role)[0] == brand:
                return _escape(token)
        except ValueError:
            continue
    fields = [_escape(brand.name), *map(_escape, brand.aliases[1:]), *(f"@{_escape(d)}" for d in brand.domains)]
    return "|".join(fields) + ("|" if len(fields) == 1 else "")


def to_query(brands: BrandSet) -> dict[str, str]:
    """``{"brand": ..., "competitor": ...}``: each role's brands as one comma-separated text for a
    URL parameter, deterministic (same set, same text); a role without brands is left out. Links
    holding plain domains (``brand=monday.com``) read back the same."""
    query = {role: ",".join(_entry(b) for b in brands.all if b.role == role) for role in ROLES}
    return {role: text for role, text in query.items() if text}


def _from_entry(entry: str, role: str) -> tuple[Brand, str | None]:
    if "|" not in entry:
        return quick_brand(unquote(entry), role)
    fields = [f for f in entry.split("|") if f.strip()]
    if not fields or fields[0].startswith("@"):
        raise ValueError("has no name before its aliases and domains")
    aliases = [unquote(f) for f in fields[1:] if not f.startswith("@")]
    domains = [unquote(f[1:]) for f in fields[1:] if f.startswith("@")]
    return Brand(unquote(fields[0]), tuple(aliases), tuple(domains), role), None


def from_query(brand: str = "", competitor: str = "") -> ParsedBrands:
    """The BrandSet a link's ``brand`` and ``competitor`` parameters hold (see ``to_query``)."""
    parsed = ParsedBrands()
    chosen: dict[str, list[Brand]] = {BRAND: [], COMPETITOR: []}
    for role, text in ((BRAND, brand), (COMPETITOR, competitor)):
        for entry in filter(None, (e.strip() for e in (text or "").split(","))):
            try:
                found, note = _from_entry(entry, role)
            except ValueError as exc:
                parsed.unreadable.append((unquote(entry), str(exc)))
                continue
            _add(found, unquote(entry), chosen, parsed)
            if note:
                parsed.notes.append((unquote(entry), note))
    parsed.brands = BrandSet(tuple(chosen[BRAND]), tuple(chosen[COMPETITOR]))
    return parsed
