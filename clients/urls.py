"""The clients app's portal pages, included under /portal/."""

from django.urls import path

from clients.views import FleetCardListView

urlpatterns = [path("fleet-cards/", FleetCardListView.as_view(), name="fleet-cards")]
