import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def search_key(text: str) -> str:
    """Fold a name for accent-, case- and punctuation-insensitive search: "Castéra-Verduzan" → "castera verduzan"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    ascii_only = ascii_only.replace("œ", "oe").replace("æ", "ae")
    return _NON_ALNUM.sub(" ", ascii_only).strip()
