"""Keep locale/fr/LC_MESSAGES/django.po to the plural messages only, filled with their French forms.

French is the source language, so its catalogue needs no translation; but without a French entry,
gettext's fallback picks the plural for every n != 1 and shows "0 étapes" where French says "0 étape"
(the French rule is n > 1). `make messages` extracts fr and then runs this script.
"""

import sys
from pathlib import Path

import polib

PATH = Path(__file__).resolve().parent.parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def main() -> int:
    catalogue = polib.pofile(str(PATH))
    kept = polib.POFile()
    kept.metadata = {
        **catalogue.metadata,
        "Language": "fr",
        "Content-Type": "text/plain; charset=UTF-8",
        "Plural-Forms": "nplurals=2; plural=(n > 1);",
    }
    for entry in catalogue:
        if entry.msgid_plural and not entry.obsolete:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
            entry.flags = [f for f in entry.flags if f != "fuzzy"]
            entry.previous_msgid = entry.previous_msgid_plural = None
            kept.append(entry)
    kept.save(str(PATH))
    print(f"{PATH.relative_to(PATH.parents[3])}: {len(kept)} plural messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
