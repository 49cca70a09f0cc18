from django.urls import path

from app_users.views import AppUserSetPasswordView

urlpatterns = [
    path("<str:token>/", AppUserSetPasswordView.as_view(), name="app_user_set_password"),
]
