"""Fail when a translation catalogue is missing, incomplete, fuzzy, broken or behind the source code."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# Same ignores as `make messages` (Makefile MESSAGES_IGNORE); hidden folders (.venv, .git, .bench) are
# always ignored by makemessages.
SOURCE_IGNORE = ["staticfiles", "media", "node_modules", "tests", "scripts", "docs", "data"]
# %(name)s, %s, %d, %%… as Python's %-formatting reads them.
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*\*?\d*(?:\.\d+)?[hlL]?(?P<type>[diouxXeEfFgGcrsa%])"
)


def _placeholders(text: str) -> list[str]:
    return sorted(f"{m['name'] or ''}:{m['type']}" for m in PLACEHOLDER.finditer(text) if m["type"] != "%")


def _key(entry: polib.POEntry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def _label(entry: polib.POEntry, *, source: bool = False) -> str:
    """The message, and where it is: its line in the catalogue, or for a new string its source file."""
    text = entry.msgid if len(entry.msgid) <= 70 else entry.msgid[:67] + "…"
    if source:
        where = f" ({entry.occurrences[0][0]}:{entry.occurrences[0][1]})" if entry.occurrences else ""
    else:
        where = f" (line {entry.linenum})" if entry.linenum else ""
    context = f"[{entry.msgctxt}] " if entry.msgctxt else ""
    return f"{context}{text!r}{where}"


def entry_problems(entry: polib.POEntry) -> list[str]:
    """What is wrong with one message: untranslated, fuzzy, or placeholders that differ from the source."""
    problems = []
    if entry.fuzzy:
        problems.append("fuzzy")
    if entry.msgid_plural:
        translations = [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
        if not translations or any(not t.strip() for t in translations):
            problems.append("empty")
    else:
        translations = [entry.msgstr]
        if not entry.msgstr.strip():
            problems.append("empty")
    if "python-format" in entry.flags and "empty" not in problems:
        if entry.msgid_plural:
            allowed = set(_placeholders(entry.msgid)) | set(_placeholders(entry.msgid_plural))
            bad = any(not set(_placeholders(t)) <= allowed for t in translations)
        else:
            bad = _placeholders(entry.msgstr) != _placeholders(entry.msgid)
        if bad:
            problems.append("placeholders differ from the source")
    return problems


class Command(BaseCommand):
    help = (
        "Check locale/<lang>/LC_MESSAGES/django.po for every language but the source language: fails on a "
        "missing catalogue, an empty or fuzzy message, a %-placeholder that differs from the source, and "
        "(when GNU gettext is installed) on a source string that `make messages` has not yet added."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--skip-source",
            action="store_true",
            help="Do not compare the catalogues with the strings in the source code.",
        )

    def handle(self, *args, skip_source, **options):
        languages = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
        locale_dir = (
            Path(settings.LOCALE_PATHS[0]) if settings.LOCALE_PATHS else Path(settings.BASE_DIR) / "locale"
        )
        failures = 0
        catalogues = {}
        for lang in languages:
            path = locale_dir / lang / "LC_MESSAGES" / "django.po"
            shown = os.path.relpath(path, settings.BASE_DIR)
            if not path.exists():
                self.stderr.write(f"{lang}: catalogue missing: {shown} (run `make messages`, then translate)")
                failures += 1
                continue
            try:
                catalogue = polib.pofile(str(path), wrapwidth=0)
            except (OSError, ValueError) as exc:
                self.stderr.write(f"{lang}: {shown} cannot be read: {exc}")
                failures += 1
                continue
            catalogues[lang] = catalogue
            entries = [e for e in catalogue if not e.obsolete and e.msgid != ""]
            bad = [(e, p) for e in entries if (p := entry_problems(e))]
            for entry, problems in bad:
                self.stderr.write(f"{lang}: {', '.join(problems)}: {_label(entry)}")
            failures += len(bad)
            status = "ok" if not bad else f"{len(bad)} problem(s)"
            self.stdout.write(
                f"{lang}: {shown}: {len(entries) - len(bad)}/{len(entries)} messages ok — {status}"
            )

        if skip_source:
            pass
        elif not catalogues:
            pass
        elif not shutil.which("xgettext"):
            self.stdout.write(
                self.style.WARNING(
                    "GNU gettext is not installed: the catalogues were not compared with the source code."
                )
            )
        else:
            failures += self._compare_with_source(locale_dir, catalogues)

        if failures:
            raise CommandError(f"{failures} translation problem(s): see above.")
        self.stdout.write(self.style.SUCCESS(f"Translations complete for {', '.join(languages)}."))

    def _compare_with_source(self, locale_dir: Path, catalogues: dict) -> int:
        """Run makemessages on a scratch copy of the catalogues; report source strings they lack."""
        base = Path(settings.BASE_DIR)
        failures = 0
        with tempfile.TemporaryDirectory(prefix="check-translations-") as tmp:
            scratch = Path(tmp)
            for child in base.iterdir():
                if child.name not in ("locale", *SOURCE_IGNORE) and not child.name.startswith("."):
                    (scratch / child.name).symlink_to(child)
            for lang in catalogues:
                target = scratch / "locale" / lang / "LC_MESSAGES"
                target.mkdir(parents=True)
                shutil.copy2(locale_dir / lang / "LC_MESSAGES" / "django.po", target / "django.po")
            (scratch / "_check_translations_settings.py").write_text(
                f"from {settings.SETTINGS_MODULE} import *  # noqa\n"
                f"LOCALE_PATHS = [{str(scratch / 'locale')!r}]\n"
            )
            command = [sys.executable, "-m", "django", "makemessages", "--symlinks", "--no-obsolete",
                       *(f"--locale={lang}" for lang in catalogues)]  # fmt: skip
            for pattern in SOURCE_IGNORE:
                command.append(f"--ignore={pattern}")
            # Never write through the symlinks into an app's own locale/ folder.
            command.append("--ignore=locale")
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "_check_translations_settings",
                "PYTHONPATH": os.pathsep.join([str(scratch), str(base), os.environ.get("PYTHONPATH", "")]),
            }
            result = subprocess.run(command, cwd=scratch, env=env, capture_output=True, text=True)
            if result.returncode:
                self.stderr.write(f"makemessages failed:\n{result.stdout}{result.stderr}")
                return 1
            for lang, catalogue in catalogues.items():
                fresh = polib.pofile(
                    str(scratch / "locale" / lang / "LC_MESSAGES" / "django.po"), wrapwidth=0
                )
                known = {_key(e) for e in catalogue if not e.obsolete}
                source = {_key(e): e for e in fresh if not e.obsolete and e.msgid != ""}
                missing = [e for k, e in source.items() if k not in known]
                stale = [e for e in catalogue if not e.obsolete and e.msgid != "" and _key(e) not in source]
                for entry in missing:
                    self.stderr.write(
                        f"{lang}: missing from the catalogue (run `make messages`): {_label(entry, source=True)}"
                    )
                failures += len(missing)
                if stale:
                    self.stdout.write(
                        self.style.WARNING(
                            f"{lang}: {len(stale)} message(s) no longer in the source "
                            "(`make messages` removes them)."
                        )
                    )
        return failures
