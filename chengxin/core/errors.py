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


def from_validation_error(error) -> DomainError:
    """A Django ValidationError of a model's `full_clean()` (lengths, choices, required fields) as a DomainError
    with one FieldError per field, status 422: the form shows each next to its field instead of a 500."""
    fields = getattr(error, "message_dict", None) or {"__all__": list(error.messages)}
    errors = [FieldError(name, message) for name, messages in fields.items() for message in messages]
    return DomainError(errors[0].message if errors else str(error), errors=errors, status=422)


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
