"""Demo data (`flask demo load`): the programme's actors and the demo NORESS projects from the
shipped file. Loading again changes nothing."""

from sqlalchemy.orm import Session

from programme import services


def load(session: Session) -> None:
    services.load_actors(session, services.ACTORS_FILE)
