"""Settings from the environment, resolved once and validated before anything runs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    redis_url: str | None
    data_dir: Path | None
    # Limits on what one text item may be; larger input is an error for that item.
    max_text_chars: int = 100_000

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        home = Path(env.get("SEAWALL_HOME", ".seawall")).expanduser()
        db = env.get("SEAWALL_DATABASE_URL") or f"sqlite:///{(home / 'seawall.db').resolve()}"
        data = env.get("SEAWALL_DATA_DIR")
        return cls(
            home=home,
            database_url=db,
            redis_url=env.get("SEAWALL_REDIS_URL") or None,
            data_dir=Path(data) if data else None,
            max_text_chars=int(env.get("SEAWALL_MAX_TEXT_CHARS", "100000")),
        )

    def ensure_home(self) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        return self.home


def get_settings() -> Settings:
    return Settings.from_env()
