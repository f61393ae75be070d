from modeltranslation.translator import TranslationOptions, register

from .models import ChecklistStep


@register(ChecklistStep)
class ChecklistStepTranslationOptions(TranslationOptions):
    fields = ("label",)
