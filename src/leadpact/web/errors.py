"""Every error answers `{"error": {"code", "message", "field"?}}` with its status; a server error never shows
a traceback or a secret (it is logged server-side with a reference the answer gives).

Pages (HTML) get the same status with a short page; a page that needs sign-in sends the browser to /login.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("leadpact.web")

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
    500: "internal",
    503: "unavailable",
}


class ApiError(Exception):
    """An answer other than success, with what the caller did wrong (never a secret in `message`)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or CODES.get(status, "error")
        self.message = message
        self.field = field
        self.headers = headers


class SignInRequired(Exception):
    """A page asked for without a session: the browser goes to /login and comes back."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    return {"error": error}


def _json(status: int, code: str, message: str, field: str | None = None, headers: Any = None) -> Response:
    return JSONResponse(error_body(code, message, field), status_code=status, headers=headers)


def _field(loc: Any) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or str(loc[-1] if loc else "(request)")


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> Response:
        return _json(exc.status, exc.code, exc.message, exc.field, exc.headers)

    @app.exception_handler(SignInRequired)
    async def sign_in(request: Request, exc: SignInRequired) -> Response:
        from urllib.parse import quote

        target = f"/login?next={quote(exc.next_path, safe='/')}"
        if request.headers.get("hx-request") == "true":  # a live refresh after the session ended: the
            return Response(status_code=204, headers={"HX-Redirect": target})  # whole page goes, not a part
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
        field = _field(first.get("loc", ()))
        message = f"{field}: {first.get('msg', 'invalid')}"
        if len(errors) > 1:
            message += f" (and {len(errors) - 1} more)"
        return _json(422, "invalid", message, field)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else CODES.get(exc.status_code, "error")
        return _json(exc.status_code, CODES.get(exc.status_code, "error"), message, None, exc.headers)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        ref = secrets.token_hex(4)
        log.error(
            "unhandled error %s on %s %s: %s",
            ref,
            request.method,
            request.url.path,
            type(exc).__name__,
            exc_info=exc,
        )
        return _json(500, "internal", f"internal error (reference {ref}; the server log has the details)")
