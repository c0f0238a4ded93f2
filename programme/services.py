"""The programme's actors: loading (or refreshing) them from the data file, the one way they
ever change. The file is checked whole before anything is written."""

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from gie.cooperatives.models import Cooperative
from gie.errors import ImportFailed
from programme.models import (
    ACTOR_KINDS,
    PROJECT_ROLES,
    RELATION_KINDS,
    Actor,
    ActorRelation,
    Project,
    ProjectCooperative,
    loading,
)

#: the data file shipped with the project
ACTORS_FILE = Path(__file__).parent / "data" / "actors.toml"

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
TEXTS = ("key", "kind", "name", "name_ar", "description", "description_ar")

#: table -> (required fields, optional fields)
SHAPES = {
    "actor": (TEXTS, ("short_name", "country", "started", "relation")),
    "actor.relation": (("kind", "target"), ("note", "note_ar")),
    "project": (
        ("key", "funder", "name", "name_ar", "description", "description_ar", "started"),
        ("ended", "demo", "cooperative"),
    ),
    "project.cooperative": (("code",), ("role",)),
}
#: fields that are not text
TYPED = {"started", "ended", "demo", "relation", "cooperative"}


@dataclass(frozen=True)
class LoadSummary:
    actors: int
    relations: int
    projects: int
    cooperatives: int  #: places of cooperatives in projects


@dataclass
class Parsed:
    """The checked content of a file, ready to be written."""

    actors: list[dict] = field(default_factory=list)
    relations: list[dict] = field(default_factory=list)
    projects: list[dict] = field(default_factory=list)
    members: list[dict] = field(default_factory=list)


def _header_lines(text: str, table: str) -> list[int]:
    """The line of each `[[table]]` header in order: where each record of the file starts
    (tomllib keeps no positions, and a person corrects a file by its lines)."""
    pattern = re.compile(rf"^[ \t]*\[\[[ \t]*{re.escape(table)}[ \t]*\]\]", re.MULTILINE)
    return [text.count("\n", 0, match.start()) + 1 for match in pattern.finditer(text)]


def _is_date(value) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _started(value) -> tuple[date, str] | None:
    """An actor's start given as a year (2008), a month ("2012-12") or a date (2014-06-01)."""
    if isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2100:
        return date(value, 1, 1), "year"
    if isinstance(value, str) and re.fullmatch(r"(19|20)\d\d-(0[1-9]|1[0-2])", value):
        return date(int(value[:4]), int(value[5:]), 1), "month"
    if _is_date(value):
        return value, "day"
    return None


class _Check:
    """Walks the file's tables, collecting every (line, message) before anything is saved."""

    def __init__(self, text: str):
        self.errors: list[tuple[int, str]] = []
        self.lines = {table: iter(_header_lines(text, table)) for table in SHAPES}

    def error(self, line: int, message) -> None:
        self.errors.append((line, str(message)))

    def table(self, name: str, record, label) -> tuple[int, dict | None]:
        """The line of the next `[[name]]` table, and its record with every text field as
        text ("" when missing or wrong, after saying so) so that the checks go on past a
        first problem; None when it is not a table at all."""
        line = next(self.lines[name], 1)
        if not isinstance(record, dict):
            self.error(
                line, _l("%(record)s must be a [[%(table)s]] table.", record=label, table=name)
            )
            return line, None
        required, optional = SHAPES[name]
        clean = {}
        for key, value in record.items():
            if key not in required and key not in optional:
                self.error(
                    line, _l("%(record)s: unknown field %(field)s.", record=label, field=key)
                )
            elif key not in TYPED and not isinstance(value, str):
                self.error(line, _l("%(record)s: %(field)s must be text.", record=label, field=key))
            else:
                clean[key] = value.strip() if isinstance(value, str) else value
        for key in required:
            if key not in TYPED and key not in clean:
                clean[key] = ""
            if clean.get(key) in (None, ""):
                self.error(line, _l("%(record)s: %(field)s is required.", record=label, field=key))
        for key in optional:
            if key not in TYPED:
                clean.setdefault(key, "")
        return line, clean

    def key(self, line: int, label, key: str, seen: set[str]) -> None:
        if not KEY_PATTERN.match(key):
            self.error(
                line, _l("%(record)s: a key is lower-case letters, digits, - and _.", record=label)
            )
        elif key in seen:
            self.error(line, _l("%(record)s: this key is used twice.", record=label))
        seen.add(key)

    def keyed_tables(self, name: str, records: list, describe, keys: set[str]):
        """Each `[[name]]` record that is a table, as (position, line, label, record): its
        label is `describe(key)` (its position when it has no key), its key checked and
        added to `keys`."""
        for number, record in enumerate(records, start=1):
            key = record.get("key") if isinstance(record, dict) else None
            label = describe(key if isinstance(key, str) and key else number)
            line, record = self.table(name, record, label)
            if record is None:
                continue
            if record["key"]:
                self.key(line, label, record["key"], keys)
            yield number, line, label, record

    def records(self, data: dict, name: str) -> list:
        records = data.get(name, [])
        if not isinstance(records, list):
            self.error(1, _l("%(table)s must be a list of [[%(table)s]] tables.", table=name))
            return []
        return records


def parse(session: Session, text: str) -> Parsed:
    """Read and check the whole file: TOML syntax, required fields, kinds, relation targets,
    dates, cooperative codes. Raises ImportFailed listing every problem by line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # Python 3.11 gives the position only in the message: "... (at line 3, column 7)"
        found = re.search(r"at line (\d+)", str(error))
        raise ImportFailed(
            _l("The actors file is not valid TOML."),
            [(int(found.group(1)) if found else 1, str(error))],
        ) from None
    check = _Check(text)
    for name in data:
        if name not in ("actor", "project"):
            check.error(1, _l("Unknown table %(table)s: expected actor or project.", table=name))
    parsed = Parsed()
    actor_keys = _actors(check, check.records(data, "actor"), parsed)
    if not parsed.actors and not check.errors:
        check.error(1, _l("The file describes no actor."))
    for relation in parsed.relations:
        if relation["target"] and relation["target"] not in actor_keys:
            check.error(
                relation["line"],
                _l(
                    "%(record)s: no actor has the key %(key)s.",
                    record=relation["label"],
                    key=relation["target"],
                ),
            )
    known_codes = set(session.scalars(select(Cooperative.code)))
    _projects(check, check.records(data, "project"), parsed, actor_keys, known_codes)
    if check.errors:
        raise ImportFailed(_l("Nothing was loaded: correct the actors file."), check.errors)
    return parsed


def _actors(check: _Check, records: list, parsed: Parsed) -> set[str]:
    keys: set[str] = set()
    triples: set[tuple] = set()
    for number, line, label, record in check.keyed_tables(
        "actor", records, lambda key: _l("actor %(key)s", key=key), keys
    ):
        key = record["key"]
        if record["kind"] and record["kind"] not in ACTOR_KINDS:
            check.error(
                line, _l("%(record)s: unknown kind %(kind)s.", record=label, kind=record["kind"])
            )
        country = record["country"] or "MA"
        if not re.fullmatch(r"[A-Z]{2}", country):
            check.error(
                line,
                _l("%(record)s: the country is a two-letter code such as MA or FR.", record=label),
            )
        started = _started(record["started"]) if "started" in record else None
        if "started" in record and started is None:
            check.error(
                line,
                _l(
                    '%(record)s: started is a year, a month ("2012-12") or a date (2014-06-01).',
                    record=label,
                ),
            )
        parsed.actors.append(
            {
                "key": key,
                "position": number,
                "kind": record["kind"],
                "country": country,
                "short_name": record["short_name"],
                "name": record["name"],
                "name_ar": record["name_ar"],
                "description": record["description"],
                "description_ar": record["description_ar"],
                "started_on": started[0] if started else None,
                "started_precision": started[1] if started else "year",
            }
        )
        relations = record.get("relation", [])
        if not isinstance(relations, list):
            check.error(
                line,
                _l("%(table)s must be a list of [[%(table)s]] tables.", table="actor.relation"),
            )
            continue
        for position, relation in enumerate(relations, start=1):
            relation_label = _l("relation %(number)d of actor %(key)s", number=position, key=key)
            relation_line, relation = check.table("actor.relation", relation, relation_label)
            if relation is None:
                continue
            if relation["kind"] and relation["kind"] not in RELATION_KINDS:
                check.error(
                    relation_line,
                    _l(
                        "%(record)s: unknown relation kind %(kind)s.",
                        record=relation_label,
                        kind=relation["kind"],
                    ),
                )
            if relation["target"] == key:
                check.error(
                    relation_line,
                    _l("%(record)s: an actor cannot be related to itself.", record=relation_label),
                )
            triple = (key, relation["target"], relation["kind"])
            if triple in triples:
                check.error(
                    relation_line,
                    _l("%(record)s: this relation is given twice.", record=relation_label),
                )
            triples.add(triple)
            parsed.relations.append(
                {
                    "line": relation_line,
                    "label": relation_label,
                    "source": key,
                    "target": relation["target"],
                    "kind": relation["kind"],
                    "position": len(parsed.relations) + 1,
                    "note": relation["note"],
                    "note_ar": relation["note_ar"],
                }
            )
    return keys


def _projects(check: _Check, records: list, parsed: Parsed, actor_keys: set, known_codes: set):
    keys: set[str] = set()
    for number, line, label, record in check.keyed_tables(
        "project", records, lambda key: _l("project %(key)s", key=key), keys
    ):
        key = record["key"]
        if record["funder"] and record["funder"] not in actor_keys:
            check.error(
                line,
                _l("%(record)s: no actor has the key %(key)s.", record=label, key=record["funder"]),
            )
        if not isinstance(record.get("demo", False), bool):
            check.error(line, _l("%(record)s: demo is true or false.", record=label))
        started, ended = record.get("started"), record.get("ended")
        for name, value in (("started", started), ("ended", ended)):
            if value is not None and not _is_date(value):
                check.error(
                    line,
                    _l(
                        "%(record)s: %(field)s is a date such as 2026-01-15.",
                        record=label,
                        field=name,
                    ),
                )
        if _is_date(started) and _is_date(ended) and ended < started:
            check.error(
                line, _l("%(record)s: the project cannot end before it starts.", record=label)
            )
        parsed.projects.append(
            {
                "key": key,
                "position": number,
                "funder": record["funder"],
                "name": record["name"],
                "name_ar": record["name_ar"],
                "description": record["description"],
                "description_ar": record["description_ar"],
                "started_on": started,
                "ended_on": ended,
                "demo": record.get("demo") is True,
            }
        )
        members = record.get("cooperative", [])
        if not isinstance(members, list):
            check.error(
                line,
                _l(
                    "%(table)s must be a list of [[%(table)s]] tables.", table="project.cooperative"
                ),
            )
            continue
        codes: set[str] = set()
        for position, member in enumerate(members, start=1):
            member_line, member = check.table("project.cooperative", member, label)
            if member is None:
                continue
            code = member["code"].upper()
            if code and code not in known_codes:
                check.error(
                    member_line,
                    _l(
                        "%(record)s: no cooperative has the code %(code)s.", record=label, code=code
                    ),
                )
            elif code in codes:
                check.error(
                    member_line,
                    _l(
                        "%(record)s: the cooperative %(code)s is listed twice.",
                        record=label,
                        code=code,
                    ),
                )
            codes.add(code)
            role = member["role"] or "member"
            if role not in PROJECT_ROLES:
                check.error(
                    member_line, _l("%(record)s: the role is lead or member.", record=label)
                )
            parsed.members.append(
                {"project": key, "code": code, "role": role, "position": position}
            )


def _read(source: Path | str) -> str:
    if isinstance(source, str):
        return source
    try:
        return source.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ImportFailed(_l("The actors file is not UTF-8 text."), [(1, source.name)]) from None


def load_actors(session: Session, source: Path | str) -> LoadSummary:
    """Load the actors file (a Path) or its text (a str): create, update and delete actors,
    relations, projects and project members so that the database holds exactly the file.
    Idempotent: loading the same file twice keeps the same records and ids.

    Raises ImportFailed, listing every problem by line, and then writes nothing.
    """
    parsed = parse(session, _read(source))
    token = loading.set(True)
    try:
        summary = _write(session, parsed)
        # flushed here, while the loader's flag is on: the read-only guard refuses any
        # programme write that reaches a flush later
        session.flush()
    finally:
        loading.reset(token)
    return summary


def _sync(session: Session, existing: dict, wanted: dict[object, dict], make) -> tuple:
    """Update the records whose key is wanted and create the missing ones. Returns the
    records by key, and the stale ones (no longer in the file) for the caller to delete
    once nothing refers to them."""
    records = {}
    for key, values in wanted.items():
        record = existing.get(key)
        if record is None:
            record = make()
            session.add(record)
        for name, value in values.items():
            if getattr(record, name) != value:
                setattr(record, name, value)
        records[key] = record
    return records, [record for key, record in existing.items() if key not in wanted]


def _write(session: Session, parsed: Parsed) -> LoadSummary:
    actors, stale_actors = _sync(
        session,
        {a.key: a for a in session.scalars(select(Actor))},
        {a["key"]: a for a in parsed.actors},
        Actor,
    )
    _relations, stale_relations = _sync(
        session,
        {(r.source.key, r.target.key, r.kind): r for r in session.scalars(select(ActorRelation))},
        {
            (r["source"], r["target"], r["kind"]): {
                "source": actors[r["source"]],
                "target": actors[r["target"]],
                "kind": r["kind"],
                "position": r["position"],
                "note": r["note"],
                "note_ar": r["note_ar"],
            }
            for r in parsed.relations
        },
        ActorRelation,
    )
    projects, stale_projects = _sync(
        session,
        {p.key: p for p in session.scalars(select(Project))},
        {
            p["key"]: {
                **{name: value for name, value in p.items() if name != "funder"},
                "funder": actors[p["funder"]],
            }
            for p in parsed.projects
        },
        Project,
    )
    cooperative_ids = dict(session.execute(select(Cooperative.code, Cooperative.id)).all())
    _members, stale_members = _sync(
        session,
        {
            (m.project.key, m.cooperative_code): m
            for m in session.scalars(select(ProjectCooperative))
        },
        {
            (m["project"], m["code"]): {
                "project": projects[m["project"]],
                "cooperative_id": cooperative_ids[m["code"]],
                "cooperative_code": m["code"],
                "role": m["role"],
                "position": m["position"],
            }
            for m in parsed.members
        },
        ProjectCooperative,
    )
    # Deleted last, dependants first: a kept project may have moved off a removed funder.
    for stale in (stale_members, stale_projects, stale_relations, stale_actors):
        for record in stale:
            session.delete(record)
        session.flush()
    return LoadSummary(
        actors=len(parsed.actors),
        relations=len(parsed.relations),
        projects=len(parsed.projects),
        cooperatives=len(parsed.members),
    )
