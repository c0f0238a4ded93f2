"""The GIE back office: kernel and composition root."""

from gie.app import create_app

__all__ = ["create_app"]
