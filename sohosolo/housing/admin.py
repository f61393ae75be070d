"""Platform administrators fix data here; committees and staff use the pages of /suivi/logements/.

Photos are read-only: an upload must go through images.process_upload (metadata stripped).
"""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from .models import HousingContactMessage, HousingOffer, HousingPhoto


class HousingPhotoInline(admin.TabularInline):
    model = HousingPhoto
    fields = ["thumbnail", "alt_text", "position"]
    readonly_fields = ["thumbnail"]
    extra = 0
    can_delete = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(HousingOffer)
class HousingOfferAdmin(TranslationAdmin):
    list_display = ["title", "village", "kind", "transaction", "price", "status", "expires_at", "is_sample"]
    list_filter = ["status", "kind", "transaction", "village__territory", "is_sample"]
    search_fields = ["title", "village__commune__name"]
    list_select_related = ["village__commune"]
    raw_id_fields = ["village", "author"]
    readonly_fields = ["published_at", "expiry_reminder_sent_at", "created_at", "updated_at", "version"]
    inlines = [HousingPhotoInline]


@admin.register(HousingContactMessage)
class HousingContactMessageAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "offer", "created_at"]
    readonly_fields = ["offer", "name", "email", "message", "created_at"]
    search_fields = ["email", "name"]

    def has_add_permission(self, request) -> bool:
        return False
