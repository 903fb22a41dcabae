"""Notice templates (Jinja2). The shipped ones are package data, `services/notify/templates/
<locale>/<kind>.j2` (zh-CN); a county puts its own wording in `BIANMIN_NOTICE_TEMPLATE_DIR`, where
`<dir>/<locale>/<kind>.j2` wins over the shipped file. A locale without a template of that kind
falls back to zh-CN. StrictUndefined: a template naming a value the notice does not have is an
error, not a blank in a legal document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

from services.notify.domain.notices import DEFAULT_LOCALE, KINDS, locale_or_default

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "templates"


class NoticeTemplates:
    def __init__(self, override_dir: Path | None = None) -> None:
        loaders = [FileSystemLoader(str(override_dir))] if override_dir else []
        loaders.append(FileSystemLoader(str(PACKAGE_DIR)))
        self.env = Environment(
            loader=ChoiceLoader(loaders),
            undefined=StrictUndefined,
            autoescape=False,  # plain text for SMS, e-mail and the PDF, never HTML
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )

    def locale_for(self, kind: str, locale: str) -> str:
        """The locale a notice of `kind` is written in: the asked one if a template exists for
        it (the county's or shipped), else zh-CN."""
        locale = locale_or_default(locale)
        try:
            self.env.get_template(f"{locale}/{kind}.j2")
        except TemplateNotFound:
            return DEFAULT_LOCALE
        return locale

    def render(self, kind: str, locale: str, context: dict[str, Any]) -> str:
        if kind not in KINDS:
            raise ValueError(f"unknown notice kind {kind!r}")
        template = self.env.get_template(f"{self.locale_for(kind, locale)}/{kind}.j2")
        text = template.render(**context)
        # at most one blank line in a row, none at the ends
        lines = [line.rstrip() for line in text.strip().splitlines()]
        out: list[str] = []
        for line in lines:
            if line or (out and out[-1]):
                out.append(line)
        return "\n".join(out).strip()
