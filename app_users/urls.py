"""The app users app's portal page: an OEM's app users."""

from django.urls import path

from app_users.views import AppUserListView

urlpatterns = [path("app-users/", AppUserListView.as_view(), name="app-users")]
