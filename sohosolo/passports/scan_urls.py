"""The partner's side of the passport (/<lang>/passeport/): the QR code's scan page, redemption, the desk."""

from django.urls import path

from .views import scan

app_name = "passports_scan"

urlpatterns = [
    path("scan/<str:token>/", scan.scan, name="scan"),
    path("scan/<str:token>/utiliser/<int:offer_pk>/", scan.redeem_view, name="redeem"),
    path("guichet/", scan.desk, name="desk"),
]
