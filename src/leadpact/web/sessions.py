"""Dashboard sessions and CSRF tokens.

- Signing in at `/login` with a key sets `leadpact_session`: a signed (itsdangerous, HMAC-SHA1 over a
  timestamped payload), HttpOnly, SameSite=Lax cookie holding the key's *id* (never the key) and a random CSRF
  nonce. Every request looks the key id up again, so revoking the key ends its sessions at once.
- The signing secret is shared by every serve process on the store (`LEADPACT_SECRET`, else one kept in the
  store), so a session works on whichever process answers.
- A state-changing request made with the session (any method but GET, HEAD, OPTIONS) must carry the CSRF
  token — `X-CSRF-Token: <token>` or a form field `csrf_token` — where the token is an HMAC of the session's
  nonce. Pages put it in `<meta name="csrf-token">` and in their forms. The login form has its own nonce, in
  the short-lived signed `leadpact_login` cookie. Requests with `Authorization: Bearer` carry no ambient
  credential and need no token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "leadpact_session"
LOGIN_COOKIE = "leadpact_login"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
LOGIN_MAX_AGE = 3600
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Session:
    key_id: str
    nonce: str


class Sessions:
    def __init__(self, secret: str, *, max_age_s: float, secure: bool) -> None:
        self._secret = secret.encode()
        self._serializer = URLSafeTimedSerializer(secret, salt="leadpact.session")
        self._login = URLSafeTimedSerializer(secret, salt="leadpact.login")
        self.max_age_s = int(max_age_s)
        self.secure = secure

    # --- the session cookie -----------------------------------------------------------------------

    def issue(self, key_id: str) -> tuple[str, Session]:
        session = Session(key_id, secrets.token_urlsafe(16))
        return self._serializer.dumps({"k": session.key_id, "n": session.nonce}), session

    def read(self, cookie: str | None) -> Session | None:
        data = self._loads(self._serializer, cookie, self.max_age_s)
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("k"), str)
            or not isinstance(data.get("n"), str)
        ):
            return None
        return Session(data["k"], data["n"])

    # --- the login form's nonce -------------------------------------------------------------------

    def login_nonce(self, cookie: str | None) -> tuple[str, str | None]:
        """The login form's nonce, and a new cookie value when there was none (or it expired)."""
        data = self._loads(self._login, cookie, LOGIN_MAX_AGE)
        if isinstance(data, str):
            return data, None
        nonce = secrets.token_urlsafe(16)
        return nonce, self._login.dumps(nonce)

    def login_nonce_of(self, cookie: str | None) -> str | None:
        data = self._loads(self._login, cookie, LOGIN_MAX_AGE)
        return data if isinstance(data, str) else None

    # --- CSRF -------------------------------------------------------------------------------------

    def csrf_token(self, nonce: str) -> str:
        return hmac.new(self._secret, b"csrf:" + nonce.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, nonce: str | None, presented: str | None) -> bool:
        if not nonce or not presented:
            return False
        return hmac.compare_digest(self.csrf_token(nonce), presented.strip())

    @staticmethod
    def _loads(serializer: URLSafeTimedSerializer, cookie: str | None, max_age: int) -> Any:
        if not cookie or len(cookie) > 4096:
            return None
        try:
            return serializer.loads(cookie, max_age=max_age)
        except BadSignature:  # also an expired one (SignatureExpired is a BadSignature)
            return None
