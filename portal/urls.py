from django.urls import include, path

from portal import views

app_name = "portal"

# Each domain app's portal pages, from its own `urls.py`.
APP_URLCONFS = ["cdrs.urls", "stations.urls", "sessions_app.urls", "clients.urls", "app_users.urls"]

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("users/", views.UserListView.as_view(), name="users"),
    path("users/invite/", views.UserInviteView.as_view(), name="user-invite"),
    path(
        "users/<int:pk>/deactivate/",
        views.UserActiveView.as_view(active=False),
        name="user-deactivate",
    ),
    path(
        "users/<int:pk>/reactivate/",
        views.UserActiveView.as_view(active=True),
        name="user-reactivate",
    ),
    *(path("", include(urlconf)) for urlconf in APP_URLCONFS),
]
