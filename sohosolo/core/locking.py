"""Optimistic locking: a second save based on an old version is refused, never a silent overwrite."""

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _


class EditConflict(Exception):
    """Someone saved this record since the form was opened."""

    message = _(
        "Quelqu'un d'autre a modifié cette fiche pendant que vous la modifiiez. Votre texte est conservé "
        "ci-dessous : comparez avec la version actuelle puis enregistrez à nouveau."
    )


class VersionedModel(models.Model):
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


@transaction.atomic
def save_versioned(instance: VersionedModel, *, expected_version: int, fields: list[str]) -> VersionedModel:
    """Save `fields` only if the row still has `expected_version`, then bump it.

    The row is locked (select_for_update on PostgreSQL; SQLite's IMMEDIATE transactions serialise
    writers) and saved with save() so the audit log records the change.
    """
    current = type(instance).objects.select_for_update().only("version").get(pk=instance.pk)
    if current.version != expected_version:
        raise EditConflict()
    instance.version = expected_version + 1
    instance.save(update_fields=[*fields, "version"])
    return instance


def form_after_conflict(form_class, request, current, exc: EditConflict, **form_kwargs):
    """The form to show after an EditConflict: every value the person typed, on the saved record's version.

    Saving again is then a deliberate choice made after comparing with `current` (shown beside it).
    """
    data = request.POST.copy()
    data["version"] = str(current.version)
    form = form_class(data, **form_kwargs)
    form.is_valid()
    form.add_error(None, str(exc.message))
    return form
