"""Loading the programme's actors file: idempotent, exact, and all or nothing."""

import pytest

from gie.errors import ImportFailed
from programme import services
from programme.models import Actor, ActorRelation, Project, ProjectCooperative
from tests.programme.records import actor_id, count, snapshot

SMALL = """
[[actor]]
key = "press"
kind = "programme"
name = "PRESS"
name_ar = "برنامج"
description = "Programme"
description_ar = "برنامج"
started = 2012

[[actor]]
key = "noress"
kind = "platform"
name = "NORESS"
name_ar = "الأرضية"
description = "Plateforme"
description_ar = "أرضية"
started = "2012-12"

  [[actor.relation]]
  kind = "axis_of"
  target = "press"

[[project]]
key = "demo-one"
demo = true
funder = "noress"
name = "Projet un"
name_ar = "المشروع الأول"
description = "Démonstration"
description_ar = "تجريبي"
started = 2025-01-01

  [[project.cooperative]]
  code = "COOP-001"
  role = "lead"
"""


def test_the_shipped_file_loads_every_actor_and_demo_project(session, shipped):
    assert count(session, Actor) == 9
    keys = {actor.key for actor in session.query(Actor)}
    assert {"region_paca", "region_tta", "press", "mess", "oress", "noress", "gie"} <= keys
    assert {"cress_paca", "asf"} <= keys
    projects = session.query(Project).all()
    assert len(projects) == 3 and all(project.demo for project in projects)
    assert {p.funder.key for p in projects} == {"noress"}
    mess = session.get(Actor, actor_id(session, "mess"))
    assert {(r.source.key, r.kind) for r in mess.incoming} == {
        ("cress_paca", "trained"),
        ("asf", "trained"),
    }
    noress = session.get(Actor, actor_id(session, "noress"))
    assert (noress.started_on.isoformat(), noress.started_precision) == ("2012-12-01", "month")


def test_loading_twice_leaves_the_same_records(session, shipped):
    before = snapshot(session)
    services.load_actors(session, services.ACTORS_FILE)
    session.commit()
    assert snapshot(session) == before
    assert [count(session, m) for m in (Actor, ActorRelation, Project, ProjectCooperative)] == [
        9,
        11,
        3,
        9,
    ]


def test_a_new_version_updates_in_place_and_removes_what_left_the_file(session, shipped):
    before = snapshot(session)
    summary = services.load_actors(session, SMALL)
    session.commit()
    assert (summary.actors, summary.relations, summary.projects, summary.cooperatives) == (
        2,
        1,
        1,
        1,
    )
    after = snapshot(session)
    old_ids = {key: id_ for id_, key, *_ in before["actors"]}
    assert {key: id_ for id_, key, *_ in after["actors"]} == {
        "press": old_ids["press"],
        "noress": old_ids["noress"],
    }
    assert [name for *_, name in after["actors"]] == ["PRESS", "NORESS"]
    assert [(key, name) for _, key, _, name in after["projects"]] == [("demo-one", "Projet un")]
    assert len(after["relations"]) == len(after["members"]) == 1


def _break(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


SHIPPED = services.ACTORS_FILE.read_text(encoding="utf-8")

MALFORMED = {
    "bad toml": (_break(SHIPPED, 'key = "mess"', 'key = "mess'), "not valid TOML", "line"),
    "unknown relation target": (
        _break(SHIPPED, 'target = "region_tta"', 'target = "region_tanger"'),
        "Nothing was loaded",
        "no actor has the key region_tanger",
    ),
    "unknown kind": (
        _break(SHIPPED, 'kind = "observatory"', 'kind = "think_tank"'),
        "Nothing was loaded",
        "actor oress: unknown kind think_tank",
    ),
    "unknown relation kind": (
        _break(SHIPPED, 'kind = "trained"', 'kind = "mentored"'),
        "Nothing was loaded",
        "unknown relation kind mentored",
    ),
    "missing field": (
        _break(SHIPPED, 'name_ar = "بدائل بلا حدود"\n', ""),
        "Nothing was loaded",
        "actor asf: name_ar is required",
    ),
    "unknown cooperative": (
        _break(SHIPPED, 'code = "COOP-007"', 'code = "COOP-777"'),
        "Nothing was loaded",
        "no cooperative has the code COOP-777",
    ),
    "bad start": (
        _break(SHIPPED, 'started = "2012-12"', 'started = "décembre 2012"'),
        "Nothing was loaded",
        "actor noress: started is a year",
    ),
    "project ends before it starts": (
        _break(SHIPPED, "ended = 2027-06-30", "ended = 2025-06-30"),
        "Nothing was loaded",
        "project demo-terroirs-rif: the project cannot end before it starts",
    ),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_file_changes_nothing_and_names_the_problem(session, shipped, case):
    text, message, detail = MALFORMED[case]
    before = snapshot(session)
    with pytest.raises(ImportFailed) as refused:
        services.load_actors(session, text)
    assert message in str(refused.value.message)
    assert any(detail in problem for _line, problem in refused.value.line_errors), (
        refused.value.line_errors
    )
    session.rollback()
    assert snapshot(session) == before


def test_errors_point_at_the_line_of_the_record(session, shipped):
    text = _break(SHIPPED, 'kind = "observatory"', 'kind = "think_tank"')
    line = text.splitlines().index('key = "oress"')  # the [[actor]] header is just above
    with pytest.raises(ImportFailed) as refused:
        services.load_actors(session, text)
    assert refused.value.line_errors[0][0] == line


def test_a_malformed_file_on_an_empty_database_loads_nothing(session, demo_cooperatives):
    with pytest.raises(ImportFailed):
        services.load_actors(session, _break(SMALL, 'target = "press"', 'target = "oress"'))
    session.rollback()
    assert count(session, Actor) == count(session, Project) == 0


def test_cli_load_prints_the_counts(runner, session, demo_cooperatives, tmp_path):
    path = tmp_path / "actors.toml"
    path.write_text(SHIPPED, encoding="utf-8")
    result = runner.invoke(args=["programme", "load", str(path)])
    assert result.exit_code == 0, result.output
    assert "9 actors, 11 relations, 3 projects (9 cooperative places)" in result.output
    assert count(session, Actor) == 9


#: what the command prints, in the default language (French), for some malformed files
CLI_REFUSALS = {
    "bad toml": ("n’est pas un TOML valide", "line"),
    "unknown relation target": ("Rien n’a été chargé", "aucun acteur n’a la clé region_tanger"),
    "unknown kind": ("Rien n’a été chargé", "acteur oress\xa0: nature inconnue think_tank"),
}


@pytest.mark.parametrize("case", CLI_REFUSALS)
def test_cli_refuses_a_malformed_file_and_changes_nothing(runner, session, shipped, tmp_path, case):
    text = MALFORMED[case][0]
    message, detail = CLI_REFUSALS[case]
    path = tmp_path / "actors.toml"
    path.write_text(text, encoding="utf-8")
    before = snapshot(session)
    result = runner.invoke(args=["programme", "load", str(path)])
    assert result.exit_code == 1
    assert message in result.output and detail in result.output
    assert snapshot(session) == before
