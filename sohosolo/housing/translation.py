from modeltranslation.translator import TranslationOptions, register

from .models import HousingOffer


@register(HousingOffer)
class HousingOfferTranslationOptions(TranslationOptions):
    fields = ("title", "description")
