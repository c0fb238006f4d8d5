"""The write side of ingesting an article: accepted proposals into the catalogue.

A proposals file (``proposals/<stem>.yaml``, written by ``corridor-atlas ingest``) lists what an
article says about corridors, sites and places. :func:`accept` takes the accepted ones (or those
named), checks each entry with the catalogue's models and each quote against the article, and
then, holding a lock beside the catalogue so that two accepts never lose each other's work:

1. inserts the new entries as text after the last corridor or site, so every byte of the
   catalogue outside the insertion (its comments, order and formatting) stays as it was; a
   proposal about an ``existing`` entry adds the article's quotes to that entry's sources;
2. keeps the previous catalogue as ``catalogue.yaml.bak`` and replaces it atomically;
3. copies the article unchanged into the seeds (refusing a different file of that name);
4. rebuilds the outputs; if that fails, the catalogue and seeds are put back as they were;
5. marks the proposals accepted in the proposals file.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from geodata import DEFAULT_CATALOGUE, DEFAULT_OUTPUT_DIR, DEFAULT_SEEDS_DIR
from geodata.build import ServingIndex, build
from geodata.catalogue import Entry, field_path, load_catalogue
from geodata.errors import AtlasError, CatalogueError
from geodata.geocoding import Locator
from geodata.previews import PreviewStyle
from geodata.sources import SeedLibrary, verify_quotes

#: A seed's file name becomes a URL slug; the same rule as the seeds directory's.
_SEED_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\.txt")


class ProposalError(AtlasError):
    """A proposals file, or a proposal in it, cannot be applied; the message says why."""


@dataclass
class Accepted:
    """What one accept did: entries added, entries given a new source, the seed it copied."""

    added: list[str] = field(default_factory=list)
    sourced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    seed: Path | None = None
    built: bool = False


# ------------------------------------------------------------------ files and locks


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``<path>.lock`` (created if missing) while inside."""
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` through a temporary file beside it and ``os.replace``."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def read_proposals(path: Path) -> dict[str, Any]:
    """The parsed proposals file; raise :class:`ProposalError` if it is not one."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise ProposalError(f"{path}: cannot read the proposals: {err}") from err
    if not isinstance(document, dict) or not isinstance(document.get("proposals"), list):
        raise ProposalError(f"{path}: expected a mapping with a 'proposals' list")
    if not isinstance(document.get("article"), str):
        raise ProposalError(f"{path}: the 'article' file name is missing")
    return document


def write_proposals(path: Path, document: dict[str, Any]) -> None:
    """Write ``document`` back to ``path`` atomically, keys in their order, UTF-8."""
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100_000)
    write_atomically(path, text.encode("utf-8"))


def find_article(
    proposals_path: Path, document: dict[str, Any], article: Path | None, seeds_dir: Path
) -> Path:
    """The article file: ``article`` if given, else beside the proposals, else in the seeds."""
    name = document["article"]
    candidates = [article] if article else [proposals_path.parent / name, seeds_dir / name]
    for candidate in candidates:
        if candidate is not None and candidate.is_file():
            return candidate
    looked = ", ".join(str(c) for c in candidates)
    raise ProposalError(f"{proposals_path}: article {name!r} not found ({looked}); use --article")


# ------------------------------------------------------------------ choosing and checking


def chosen(document: dict[str, Any], only: list[str] | None, path: Path) -> list[dict[str, Any]]:
    """The proposals to apply: the accepted ones, or exactly those named in ``only``."""
    proposals = document["proposals"]
    if only is None:
        return [p for p in proposals if p.get("status") == "accepted"]
    by_id = {p.get("id"): p for p in proposals}
    unknown = [pid for pid in only if pid not in by_id]
    if unknown:
        raise ProposalError(f"{path}: no proposal {', '.join(map(repr, unknown))}")
    rejected = [pid for pid in only if by_id[pid].get("status") == "rejected"]
    if rejected:
        raise ProposalError(
            f"{path}: {', '.join(map(repr, rejected))} rejected; set it pending to accept it"
        )
    return [by_id[pid] for pid in only]


def describe_error(error: Any) -> str:
    """One pydantic error as ``field 'category': why``, naming the field an entry-level check
    (a site's category, a corridor's route) blames rather than the whole entry."""
    blamed = (error.get("ctx") or {}).get("error")
    location = [part for part in error["loc"] if part not in ("gazetteer", "curated")]
    if blamed is not None and hasattr(blamed, "field"):
        location.append(blamed.field)
    message = str(blamed) if blamed is not None else error["msg"]
    return f"field {field_path(location)!r}: {message}"


def checked_entry(proposal: dict[str, Any], seed: str, library: SeedLibrary) -> Entry:
    """The proposal's entry, valid by the catalogue's model, its quotes found in ``seed``."""
    pid = proposal.get("id")
    try:
        entry = Entry.model_validate(proposal.get("entry"))
    except ValidationError as err:
        problems = [f"proposal {pid!r}, {describe_error(e)}" for e in err.errors()]
        raise CatalogueError(problems) from err
    problems = []
    for position, source in enumerate(entry.sources):
        where = f"proposal {pid!r}, field {field_path(['sources', position])!r}"
        if source.seed != seed:
            problems.append(f"{where}: cites {source.seed!r}, not the article {seed!r}")
        elif not library.contains(seed, source.quote):
            problems.append(f"{where}: not found verbatim in {seed}: {source.quote!r}")
    for position, figure in enumerate(entry.figures):
        if not library.contains(seed, figure.quote):
            where = field_path(["figures", position, "quote"])
            problems.append(f"proposal {pid!r}, field {where!r}: not in {seed}: {figure.quote!r}")
    if problems:
        raise CatalogueError(problems)
    return entry


def new_quotes(proposal: dict[str, Any], seed: str, library: SeedLibrary) -> list[str]:
    """The quotes a proposal about an existing entry adds: its entry's, else its evidence's."""
    sources = (proposal.get("entry") or {}).get("sources") or []
    quotes = [s["quote"] for s in sources if isinstance(s, dict) and s.get("seed") == seed]
    if not quotes:
        sentences = (proposal.get("evidence") or {}).get("sentences") or []
        quotes = [s["quote"] for s in sentences if isinstance(s, dict) and "quote" in s]
    missing = [q for q in quotes if not isinstance(q, str) or not library.contains(seed, q)]
    if not quotes or missing:
        raise ProposalError(
            f"proposal {proposal.get('id')!r}: no quote found verbatim in {seed}: {missing!r}"
        )
    return list(dict.fromkeys(quotes))


# ------------------------------------------------------------------ the catalogue as text


class _BlockDumper(yaml.SafeDumper):
    """Indents a list inside a mapping, as the hand-written catalogue does."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def entry_yaml(entry: Entry, indent: int) -> str:
    """``entry`` as one block list item, lists of plain values and places written inline.

    >>> from geodata.catalogue import Entry
    >>> print(entry_yaml(Entry.model_validate({"id": "a", "name": "A", "kind": "site",
    ...     "category": "technopark", "countries": ["KZ"], "status": {"stage": "planned"},
    ...     "description": "D.", "location": {"place": "Taraz", "country": "KZ"},
    ...     "sources": [{"seed": "s.txt", "quote": "a quote here"}]}), 2), end="")
      - id: a
        name: A
        aliases: []
        kind: site
        category: technopark
        countries: [KZ]
        status:
          stage: planned
          dates: []
        figures: []
        description: D.
        location: {place: Taraz, country: KZ}
        sources:
          - {seed: s.txt, quote: a quote here}
    """
    data = entry.model_dump(mode="json", exclude_none=True)
    if not data.get("branches"):
        data.pop("branches", None)
    text = yaml.dump(
        [data],
        Dumper=_BlockDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=None,
        width=100_000,
    )
    return "".join(" " * indent + line for line in text.splitlines(keepends=True))


def _mapping(node: yaml.Node) -> dict[str, yaml.Node]:
    return {key.value: value for key, value in node.value}


def _content_end(node: yaml.Node) -> int:
    """Where the last character of ``node``'s own text ends (block nodes' marks run on past
    the blank lines and comments after them)."""
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        return node.end_mark.index
    children = node.value if isinstance(node, yaml.SequenceNode) else [v for _, v in node.value]
    return max((_content_end(child) for child in children), default=node.start_mark.index)


def _line_end(text: str, index: int) -> int:
    """The index just past the end of the line holding ``index - 1``."""
    newline = text.find("\n", max(index - 1, 0))
    return len(text) if newline == -1 else newline + 1


def _insert(text: str, at: int, block: str) -> str:
    before = text[:at] if text[:at].endswith("\n") or not at else text[:at] + "\n"
    return before + block + text[at:]


def with_new_entry(text: str, entry: Entry) -> str:
    """``text`` with ``entry`` inserted after the last entry of its kind (or the last one)."""
    entries = _mapping(yaml.compose(text))["entries"]
    if entries.flow_style or not entries.value:
        raise ProposalError("the catalogue's 'entries' must be a non-empty block list")
    items = entries.value
    same_kind = [item for item in items if _mapping(item)["kind"].value == entry.kind]
    last = (same_kind or items)[-1]
    at = _line_end(text, _content_end(last))
    return _insert(text, at, "\n" + entry_yaml(entry, entries.start_mark.column))


def with_new_sources(text: str, entry_id: str, seed: str, quotes: list[str]) -> str:
    """``text`` with ``quotes`` from ``seed`` added to the sources of entry ``entry_id``."""
    entries = _mapping(yaml.compose(text))["entries"]
    found = [item for item in entries.value if _mapping(item)["id"].value == entry_id]
    if not found:
        raise ProposalError(f"the catalogue has no entry {entry_id!r} to add a source to")
    sources = _mapping(found[0])["sources"]
    if sources.flow_style:
        items = ", ".join(_flow({"seed": seed, "quote": quote}) for quote in quotes)
        at = sources.end_mark.index - 1  # the closing bracket
        return text[:at] + (", " if sources.value else "") + items + text[at:]
    dash = " " * sources.start_mark.column
    block = "".join(_block_item({"seed": seed, "quote": quote}, dash) for quote in quotes)
    return _insert(text, _line_end(text, _content_end(sources)), block)


def _dump(value: Any, flow: bool) -> str:
    return yaml.safe_dump(
        value, default_flow_style=flow, sort_keys=False, allow_unicode=True, width=100_000
    )


def _flow(value: dict[str, str]) -> str:
    return _dump(value, True).strip()


def _block_item(value: dict[str, str], indent: str) -> str:
    """``value`` as a block list item at ``indent``, as the catalogue writes its sources.

    >>> print(_block_item({"seed": "a.txt", "quote": "it's here"}, "  "), end="")
      - seed: a.txt
        quote: it's here
    """
    lines = _dump(value, False).splitlines()
    return "".join(f"{indent}{'- ' if n == 0 else '  '}{line}\n" for n, line in enumerate(lines))


# ------------------------------------------------------------------ accepting


def accept(
    proposals_path: Path,
    *,
    only: list[str] | None = None,
    catalogue_path: Path = DEFAULT_CATALOGUE,
    seeds_dir: Path = DEFAULT_SEEDS_DIR,
    out_dir: Path = DEFAULT_OUTPUT_DIR,
    article: Path | None = None,
    rebuild: bool = True,
    locator: Locator | None = None,
    previews: PreviewStyle | None = None,
    serving: ServingIndex | None = None,
) -> Accepted:
    """Apply the accepted proposals of ``proposals_path`` (or those in ``only``); see above.
    ``previews`` is the map's look for the share cards' images the rebuild draws, ``serving``
    what makes the server's index (see :func:`geodata.build.build`)."""
    proposals_path, catalogue_path = Path(proposals_path), Path(catalogue_path)
    if catalogue_path.suffix == ".json":
        raise ProposalError(f"{catalogue_path}: accept writes a YAML catalogue, not JSON")
    with locked(catalogue_path), locked(proposals_path):
        document = read_proposals(proposals_path)
        selected = chosen(document, only, proposals_path)
        seed = document["article"]
        if not _SEED_NAME.fullmatch(seed):
            raise ProposalError(f"{proposals_path}: {seed!r} cannot be a seed file name")
        source = find_article(proposals_path, document, article, seeds_dir)
        article_bytes = source.read_bytes()
        _check_hash(document, article_bytes, source)
        library = SeedLibrary({seed: article_bytes.decode("utf-8")})
        old_text = catalogue_path.read_text(encoding="utf-8")
        result = Accepted()
        new_text = _apply(old_text, selected, seed, library, result)
        if new_text != old_text:
            _check_catalogue(new_text, catalogue_path, seeds_dir, seed, library)
            result.seed = _publish(
                catalogue_path, old_text, new_text, seeds_dir / seed, article_bytes
            )
            if rebuild:
                _rebuild(
                    catalogue_path, old_text, seeds_dir, out_dir, locator, previews, serving, result
                )
        for proposal in selected:
            proposal["status"] = "accepted"
        write_proposals(proposals_path, document)
        return result


def _check_hash(document: dict[str, Any], data: bytes, path: Path) -> None:
    expected = document.get("sha256")
    if expected and hashlib.sha256(data).hexdigest() != expected:
        raise ProposalError(f"{path}: not the article the proposals were made from (sha256)")


def _apply(
    text: str, selected: list[dict[str, Any]], seed: str, library: SeedLibrary, result: Accepted
) -> str:
    known = {e["id"]: e for e in (yaml.safe_load(text).get("entries") or [])}
    for proposal in selected:
        pid = proposal.get("id")
        existing = proposal.get("existing")
        if proposal.get("role") == "place":
            result.unchanged.append(pid)
        elif existing:
            if existing not in known:
                raise ProposalError(f"proposal {pid!r}: no catalogue entry {existing!r}")
            cited = {(s["seed"], s["quote"]) for s in known[existing]["sources"]}
            quotes = [q for q in new_quotes(proposal, seed, library) if (seed, q) not in cited]
            if quotes:
                text = with_new_sources(text, existing, seed, quotes)
                result.sourced.append(existing)
            else:
                result.unchanged.append(pid)
        else:
            entry = checked_entry(proposal, seed, library)
            if entry.id in known:
                if any(s.get("seed") == seed for s in known[entry.id]["sources"]):
                    result.unchanged.append(pid)  # accepted before
                    continue
                raise ProposalError(f"proposal {pid!r}: the catalogue has {entry.id!r} already")
            text = with_new_entry(text, entry)
            known[entry.id] = entry.model_dump(mode="json")
            result.added.append(entry.id)
    return text


def _check_catalogue(
    text: str, catalogue_path: Path, seeds_dir: Path, seed: str, article: SeedLibrary
) -> None:
    """Validate the new catalogue as a whole (models, ids, every quote) before writing it."""
    with tempfile.TemporaryDirectory() as scratch:
        staged = Path(scratch) / catalogue_path.name
        staged.write_text(text, encoding="utf-8")
        catalogue = load_catalogue(staged)
    texts = dict(SeedLibrary.from_directory(seeds_dir).texts)
    texts[seed] = article.texts[seed]
    verify_quotes(catalogue, SeedLibrary(texts), catalogue_path)


def _publish(
    catalogue_path: Path, old_text: str, new_text: str, seed_path: Path, article: bytes
) -> Path | None:
    """Copy the article into the seeds (None if it was there) and replace the catalogue."""
    copied = None
    if seed_path.exists():
        if seed_path.read_bytes() != article:
            raise ProposalError(f"{seed_path}: a different article of that name is in the seeds")
    else:
        write_atomically(seed_path, article)
        copied = seed_path
    backup = catalogue_path.with_name(catalogue_path.name + ".bak")
    write_atomically(backup, old_text.encode("utf-8"))
    write_atomically(catalogue_path, new_text.encode("utf-8"))
    return copied


def _rebuild(
    catalogue_path: Path,
    old_text: str,
    seeds_dir: Path,
    out_dir: Path,
    locator: Locator | None,
    previews: PreviewStyle | None,
    serving: ServingIndex | None,
    result: Accepted,
) -> None:
    """Rebuild the outputs; on failure put the catalogue and seeds back, then re-raise."""
    try:
        build(
            out_dir,
            catalogue_path=catalogue_path,
            seeds_dir=seeds_dir,
            locator=locator,
            previews=previews,
            serving=serving,
        )
    except BaseException:
        write_atomically(catalogue_path, old_text.encode("utf-8"))
        if result.seed is not None:
            result.seed.unlink(missing_ok=True)
        raise
    result.built = True
