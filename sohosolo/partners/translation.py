from modeltranslation.translator import TranslationOptions, register

from .models import Offer, Partner


@register(Partner)
class PartnerTranslationOptions(TranslationOptions):
    fields = ("description",)


@register(Offer)
class OfferTranslationOptions(TranslationOptions):
    fields = ("title", "description", "conditions")
