"""The CDR app's portal pages, included under /portal/."""

from django.urls import path

from cdrs.views import CDRDetailView, CDRListView

urlpatterns = [
    path("cdrs/", CDRListView.as_view(), name="cdrs"),
    path("cdrs/<int:pk>/", CDRDetailView.as_view(), name="cdr"),
]
