"""The programme's pages: importing this package registers every view module on `bp`."""

from programme.blueprint import bp
from programme.views import directory, former_addresses, observatory
from programme.views.directory import cooperative_panel

__all__ = ["bp", "cooperative_panel", "directory", "former_addresses", "observatory"]
