"""Reading django-auditlog entries for people: the changes worth showing, in one place."""

BLANK = ("None", "")


def readable_changes(
    entry, *, hidden: set[str], verbose_names: bool = False, display=None
) -> list[tuple[str, str, str]]:
    """(field, old, new) rows of a log entry, without technical fields and no-op changes.

    With verbose_names, fields are named by their model's verbose_name and fields that are no
    longer on the model are left out. `display` maps a field to a function that renders its values.
    """
    display = display or {}
    concrete = {}
    if verbose_names:
        model = entry.content_type.model_class()
        concrete = {f.name: f for f in model._meta.concrete_fields} if model else {}
    rows = []
    for name, (old, new) in entry.changes_dict.items():
        if name in hidden or old == new or (old in BLANK and new in BLANK):
            continue
        if verbose_names and name not in concrete:
            continue
        if name in display:
            old, new = display[name](old), display[name](new)
        label = str(concrete[name].verbose_name) if verbose_names else name
        rows.append((label, "" if old == "None" else old, "" if new == "None" else new))
    return rows
