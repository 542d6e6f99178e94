"""What `leadpact serve` runs with, validated once at start-up (a bad value stops it with a clear line).

- `pact_file`: `--pact`, `LEADPACT_PACT`, else `./pact.yaml` (the roster is `team.yaml` beside it).
- `db_url`: `--db`, `LEADPACT_DB`, else an SQLite file beside the pact.
- `host`, `port`: `--host` (127.0.0.1), `--port` (8000).
- `worker`: the clock worker runs as a child process unless `--no-worker`.
- `secret`: `LEADPACT_SECRET` (at least 32 characters), else one kept in the store; it signs session
  cookies, so every serve process on one store shares it.
- `hubspot_secret`: `LEADPACT_HUBSPOT_SECRET`, the HubSpot app's client secret; unset, `/hooks/hubspot`
  answers 503.
- `public_url`: `LEADPACT_PUBLIC_URL`, the scheme and host clients use (behind a proxy); HubSpot signs
  the request URI with it, and `https://` marks cookies Secure.
- `session_hours`: `LEADPACT_SESSION_HOURS` (12), how long a dashboard sign-in lasts.
- `access_log`: `--access-log`, a line per request.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator


class SettingsError(ValueError):
    """Every problem with the settings, one per line."""


class WebSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    pact_file: Path
    db_url: str
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    worker: bool = True
    secret: SecretStr | None = None
    hubspot_secret: SecretStr | None = None
    public_url: str | None = None
    session_hours: float = Field(12.0, gt=0, le=24 * 30)
    access_log: bool = False

    @field_validator("secret")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("LEADPACT_SECRET must be at least 32 characters (or unset: the store keeps one)")
        return value

    @field_validator("public_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"LEADPACT_PUBLIC_URL {value!r} is not a URL like https://leadpact.example.com")
        return value.rstrip("/")

    @property
    def secure_cookies(self) -> bool:
        """Cookies marked Secure when clients reach us over HTTPS."""
        return self.public_url is not None and self.public_url.startswith("https://")

    @classmethod
    def load(
        cls,
        *,
        pact_file: Path,
        db_url: str,
        env: Mapping[str, str] | None = None,
        **options: object,
    ) -> WebSettings:
        """The settings from the command's options and the environment; `SettingsError` lists every
        problem."""
        env = os.environ if env is None else env
        values: dict[str, object] = {"pact_file": pact_file, "db_url": db_url, **options}
        for name, var in (
            ("secret", "LEADPACT_SECRET"),
            ("hubspot_secret", "LEADPACT_HUBSPOT_SECRET"),
            ("public_url", "LEADPACT_PUBLIC_URL"),
            ("session_hours", "LEADPACT_SESSION_HOURS"),
        ):
            if env.get(var):
                values[name] = env[var]
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            lines = []
            for error in exc.errors():
                where = ".".join(str(p) for p in error["loc"])
                lines.append(f"{where}: {error['msg'].removeprefix('Value error, ')}")
            raise SettingsError("\n".join(lines)) from None
