from modeltranslation.translator import TranslationOptions, register

from .models import Village


@register(Village)
class VillageTranslationOptions(TranslationOptions):
    fields = ("presentation", "product_title", "product_text")
