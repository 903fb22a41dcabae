"""The operator's commands: the platform's processes (`platform`: run, serve, migrate, jobs) and
`bianmin admin …` (`operator`). They reach the database and the services' code directly, through
the composition root (cli/compose.py); imports are late so `--help` does not load the world."""

from __future__ import annotations


def settings(**overrides):  # type: ignore[no-untyped-def]
    """The deployment's settings (BIANMIN_*), with the command line's options that were given."""
    from libs.common.settings import Settings

    return Settings(**{k: v for k, v in overrides.items() if v is not None})
