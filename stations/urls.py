"""The stations app's portal pages, included under /portal/."""

from django.urls import path

from stations.views import StationListView

urlpatterns = [path("stations/", StationListView.as_view(), name="stations")]
