"""The one error type for domain rules, mapped to a UI message and to the API's JSON shape in one place."""

from dataclasses import dataclass, field


@dataclass
class FieldError:
    field: str
    message: str


@dataclass
class DomainError(Exception):
    """A request broke a domain rule. `message` is shown to the user as it is (Chinese first)."""

    message: str
    errors: list[FieldError] = field(default_factory=list)
    status: int = 400

    def __str__(self) -> str:
        return self.message

    def as_json(self) -> dict:
        return {
            "detail": self.message,
            "errors": [{"field": e.field, "message": e.message} for e in self.errors],
        }


class ConflictError(DomainError):
    """Somebody else changed the object since it was read (stale version)."""

    def __init__(self, message: str, errors: list[FieldError] | None = None):
        super().__init__(message=message, errors=errors or [], status=409)


class TransitionError(DomainError):
    """A status change that the lifecycle does not allow."""

    def __init__(self, message: str):
        super().__init__(message=message, status=409)


class LockedError(DomainError):
    """The report or campaign is locked against changes."""

    def __init__(self, message: str):
        super().__init__(message=message, status=403)
