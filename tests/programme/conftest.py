"""Fixtures of the programme's tests: the shipped actors file loaded over cooperatives that
carry the demo codes it names."""

import pytest

from programme import services

#: the demo cooperatives' codes the shipped file names, with a filière and province each
DEMO_CODES = {
    "COOP-001": ("dairy", "MA-CHE"),
    "COOP-002": ("dairy", "MA-CHE"),
    "COOP-003": ("pottery", "MA-TET"),
    "COOP-004": ("weaving", "MA-CHE"),
    "COOP-005": ("olive_oil", "MA-OUZ"),
    "COOP-006": ("honey", "MA-HOC"),
    "COOP-007": ("wood", "MA-TNG"),
    "COOP-008": ("aromatic_plants", "MA-LAR"),
    "COOP-010": ("leather", "MA-FAH"),
}


@pytest.fixture
def demo_cooperatives(make_cooperative):
    return {
        code: make_cooperative(
            code=code, name=f"Coopérative {code}", filiere=filiere, province=province
        )
        for code, (filiere, province) in DEMO_CODES.items()
    }


@pytest.fixture
def shipped(session, demo_cooperatives):
    """The shipped actors file, loaded and committed."""
    services.load_actors(session, services.ACTORS_FILE)
    session.commit()
    return demo_cooperatives
