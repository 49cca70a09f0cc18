"""The sessions app's portal pages, included under /portal/."""

from django.urls import path

from sessions_app.views import SessionListView

urlpatterns = [path("sessions/", SessionListView.as_view(), name="sessions")]
