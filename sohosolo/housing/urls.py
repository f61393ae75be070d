from django.urls import path

from .views import public

app_name = "housing"

urlpatterns = [
    path("<int:pk>/", public.offer_detail, name="detail"),
]
