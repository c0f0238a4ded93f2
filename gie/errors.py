"""Domain errors raised by services; one handler turns them into pages or flashed messages."""


class DomainError(Exception):
    """A rule refused the operation; `message` is already translated for the user."""

    status_code = 400

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class NotFound(DomainError):
    status_code = 404


class PermissionDenied(DomainError):
    status_code = 403


class ValidationError(DomainError):
    """Input that breaks a rule; `field_errors` maps field names to messages."""

    status_code = 422


class ImportFailed(DomainError):
    """A file was refused whole; `line_errors` lists (line number, message)."""

    status_code = 422

    def __init__(self, message: str, line_errors: list[tuple[int, str]]):
        super().__init__(message)
        self.line_errors = line_errors
