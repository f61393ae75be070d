from modeltranslation.translator import TranslationOptions, register

from .models import Occurrence, Series


@register(Series)
class SeriesTranslationOptions(TranslationOptions):
    fields = ("title", "description")


@register(Occurrence)
class OccurrenceTranslationOptions(TranslationOptions):
    fields = ("description",)
