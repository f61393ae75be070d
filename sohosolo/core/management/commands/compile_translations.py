"""Compile every locale/*/LC_MESSAGES/*.po to .mo with polib: no GNU gettext needed on the machine."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def catalogue_files() -> list[Path]:
    """Every .po file under the project's locale directories (settings.LOCALE_PATHS and BASE_DIR/locale)."""
    roots = {Path(p).resolve() for p in settings.LOCALE_PATHS} | {
        Path(settings.BASE_DIR).resolve() / "locale"
    }
    return sorted({po for root in roots if root.is_dir() for po in root.glob("*/LC_MESSAGES/*.po")})


class Command(BaseCommand):
    help = (
        "Compile the translation catalogues (.po → .mo) in pure Python (polib), like msgfmt: fuzzy and "
        "untranslated messages are left out, so French is shown for them. Writes a .mo only when it changes."
    )

    def handle(self, *args, **options):
        files = catalogue_files()
        if not files:
            self.stdout.write("No translation catalogue (locale/*/LC_MESSAGES/*.po) to compile.")
            return
        written = 0
        for po_path in files:
            try:
                catalogue = polib.pofile(str(po_path), wrapwidth=0)
            except (OSError, ValueError) as exc:  # polib raises OSError/ValueError on a malformed file
                raise CommandError(f"{po_path}: cannot be read: {exc}") from exc
            mo_path = po_path.with_suffix(".mo")
            data = catalogue.to_binary()
            if mo_path.exists() and mo_path.read_bytes() == data:
                continue
            tmp = mo_path.with_name(mo_path.name + ".tmp")
            tmp.write_bytes(data)
            tmp.replace(mo_path)  # atomic: a running server never reads half a file
            written += 1
            translated = len(catalogue.translated_entries())
            total = len([e for e in catalogue if not e.obsolete])
            self.stdout.write(f"  {mo_path.relative_to(settings.BASE_DIR)} ({translated}/{total} translated)")
        self.stdout.write(
            self.style.SUCCESS(
                f"Translations: {len(files)} catalogue(s), {written} compiled, "
                f"{len(files) - written} already up to date."
            )
        )
