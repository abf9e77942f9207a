"""Domain errors. Each carries a stable ``code`` that clients can branch on and that
the API turns into a problem+json response with a title in the caller's language."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a use case raises on purpose."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        errors: dict[str, Any] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or code or self.code)
        self.detail = detail
        if code:
            self.code = code
        self.errors = errors
        self.extra = extra


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    """Also what a caller gets for another court's row: its existence is not disclosed."""

    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class PreconditionFailed(DomainError):
    status = 412
    code = "precondition_failed"


class PreconditionRequired(DomainError):
    status = 428
    code = "precondition_required"


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"


class TooManyRequests(DomainError):
    """Slow down; ``retry_after`` (seconds) becomes the Retry-After header."""

    status = 429
    code = "too_many_requests"

    def __init__(self, detail: str | None = None, *, retry_after: int, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.retry_after = max(1, retry_after)


class ServiceUnavailable(DomainError):
    """Try again later; ``retry_after`` (seconds) becomes the Retry-After header."""

    status = 503
    code = "service_unavailable"

    def __init__(self, detail: str | None = None, *, retry_after: int = 5,
                 **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.retry_after = max(1, retry_after)

class InsufficientStorage(DomainError):
    """The server's disk is full: nothing was kept, retry later (507)."""

    status = 507
    code = "insufficient_storage"


class Gone(DomainError):
    """It existed and no longer does (an abandoned upload that expired): start afresh."""

    status = 410
    code = "gone"
