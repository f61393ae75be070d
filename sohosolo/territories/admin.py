from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from .models import Commune, Territory


@admin.register(Territory)
class TerritoryAdmin(TranslationAdmin):
    list_display = ["name", "slug", "default_language", "yearly_goal_families", "is_sample"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "territory", "population", "epci_name"]
    list_filter = ["territory", "departement"]
    search_fields = ["name", "search_name", "code"]
    readonly_fields = ["boundary"]
