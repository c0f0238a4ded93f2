"""Form helpers shared by every package."""

from wtforms import SelectChoice


def choices(options: dict | list[tuple], blank: str | None = None) -> list[SelectChoice]:
    """Select options from a {value: label} mapping (or pairs), with an optional blank first."""
    items = options.items() if isinstance(options, dict) else options
    listed = [SelectChoice(value, label) for value, label in items]
    return [SelectChoice("", blank), *listed] if blank is not None else listed
