"""Small helpers that read settings from the environment and refuse malformed values."""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Environment variable {name} must be set in production.")
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = os.environ.get(name, default).strip() or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of: {', '.join(choices)}.")
    return value


def email_settings(url: str | None) -> dict:
    """Django mail settings from `smtp://user:password@host:port` (`smtps://` for TLS on connect,
    `?starttls=1` for STARTTLS, `?from=addr` for the sender). None or empty: print mail to the console."""
    from urllib.parse import parse_qs, unquote, urlsplit

    if not url:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ImproperlyConfigured(f"EMAIL_URL must look like smtp://user:password@host:port, not {parts.scheme}://…")
    query = parse_qs(parts.query)
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL has a port that is not a number between 0 and 65535.") from None
    starttls = query.get("starttls", ["0"])[0] in _TRUE
    if parts.scheme == "smtps" and starttls:
        raise ImproperlyConfigured("EMAIL_URL: smtps:// (TLS on connect) and ?starttls=1 cannot be combined.")
    result = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_USE_TLS": starttls,
    }
    if "from" in query:
        result["DEFAULT_FROM_EMAIL"] = query["from"][0]
    return result


def ensure_private_dir(path) -> None:
    """Create the folder (and its parents) readable by this account only (0700) if it does not exist yet."""
    from pathlib import Path

    Path(path).mkdir(mode=0o700, parents=True, exist_ok=True)


def ensure_private_file(path) -> None:
    """Make `path` readable and writable by this account only (0600), creating it empty if need be: the SQLite
    database holds password hashes and TOTP secrets. SQLite gives its -wal and -shm files the same mode."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
