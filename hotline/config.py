"""Configuration from the environment (SPEC §10); `create_app(test_config)` may override any key."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def _secret_key(instance: Path) -> str:
    """HOTLINE_SECRET_KEY, or one generated once and kept in the instance folder."""
    if os.environ.get("HOTLINE_SECRET_KEY"):
        return os.environ["HOTLINE_SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def from_environment(instance_path: str) -> dict:
    instance = Path(instance_path)
    env = os.environ.get
    return {
        "DATABASE_URL": env("HOTLINE_DATABASE_URL") or f"sqlite:///{instance / 'hotline.sqlite3'}",
        "SECRET_KEY": _secret_key(instance),
        "TIMEZONE": env("HOTLINE_TIMEZONE", "Asia/Shanghai"),
        "POLICY_PRESET": env("HOTLINE_POLICY_PRESET", "karamay"),
        "CLOCK_NOW": env("HOTLINE_NOW"),
        "CLOCK_OFFSET": env("HOTLINE_CLOCK_OFFSET"),
        "SCHEDULER": env("HOTLINE_SCHEDULER", "on"),
        "PUBLIC_URL": env("HOTLINE_PUBLIC_URL"),
        "TWILIO_ACCOUNT_SID": env("TWILIO_ACCOUNT_SID"),
        "TWILIO_AUTH_TOKEN": env("TWILIO_AUTH_TOKEN"),
        "TWILIO_NUMBER": env("TWILIO_NUMBER"),
        "DEMO_DATA_DIR": env("HOTLINE_DEMO_DATA", str(Path(__file__).resolve().parents[2] / "shared" / "data")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env("HOTLINE_SECURE_COOKIES", "0") == "1",
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "JSON_AS_ASCII": False,
    }
