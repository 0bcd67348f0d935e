"""The exceptions a simulated API method raises, and the HTTP answer each one maps to.

Owns the table of the ONLYOFFICE API notes, §2.2: which .NET exception family becomes
which status, status description, message and `hresult`. It must not build response bodies
(that is `wire.py`) nor decide when a rule is broken (that is the handlers').
"""

from __future__ import annotations

# .NET HResult values as release servers print them in `error.hresult` (§2.2).
HRESULT_ARGUMENT = -2147024809  # ArgumentException and subclasses
HRESULT_SECURITY = -2146233078  # SecurityException
HRESULT_EXCEPTION = -2146233088  # plain Exception, ItemNotFoundException
HRESULT_AUTHENTICATION = -2146233087  # AuthenticationException (§1.1)
HRESULT_NULL_REFERENCE = -2147467261  # NullReferenceException
HRESULT_FORMAT = -2146233033  # FormatException from a type converter
HRESULT_OVERFLOW = -2146233066  # OverflowException from a type converter

DEFAULT_ARGUMENT_MESSAGE = "Value does not fall within the expected range."
NULL_REFERENCE_MESSAGE = "Object reference not set to an instance of an object."
ACCESS_DENIED_MESSAGE = "Access denied"


class ApiError(Exception):
    """A failure that the API handler turns into the JSON error envelope."""

    def __init__(self, status: int, reason: str, message: str, hresult: int) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message
        self.hresult = hresult


def bad_argument(message: str = DEFAULT_ARGUMENT_MESSAGE) -> ApiError:
    """ArgumentException: most CRM validation throws it bare, hence the default text."""
    return ApiError(400, "Invalid arguments", message, HRESULT_ARGUMENT)


def conversion_failed(message: str, hresult: int = HRESULT_FORMAT) -> ApiError:
    """ApiArgumentMismatchException: a parameter could not be converted to its type."""
    return ApiError(400, "Invalid arguments", message, hresult)


def not_found(message: str = "Not found") -> ApiError:
    return ApiError(404, "The record could not be found", message, HRESULT_EXCEPTION)


def access_denied() -> ApiError:
    return ApiError(403, "Access denied", ACCESS_DENIED_MESSAGE, HRESULT_SECURITY)


def server_error(message: str, hresult: int = HRESULT_EXCEPTION) -> ApiError:
    return ApiError(500, "Server error", message, hresult)


def null_reference() -> ApiError:
    """What the server answers where its code dereferences a missing value (§6.1, §7.3)."""
    return server_error(NULL_REFERENCE_MESSAGE, HRESULT_NULL_REFERENCE)


def authentication_failed() -> ApiError:
    # AuthenticationException is not in the handler's table, so it falls through to 500 (§1.1).
    return server_error("User authentication failed", HRESULT_AUTHENTICATION)


def method_not_found() -> ApiError:
    return ApiError(404, "Server error", "Method not found", HRESULT_EXCEPTION)
