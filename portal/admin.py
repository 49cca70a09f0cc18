"""The back-office's frame: its titles, where "View site" leads, and its throttled sign-in."""

from django.contrib import admin

from portal.forms import ThrottledAdminAuthenticationForm

admin.site.site_header = "OIOI partner platform"
admin.site.site_title = "OIOI partner platform"
admin.site.index_title = "OIOI partner platform back-office"
# "View site" leads partner-facing, to the portal.
admin.site.site_url = "/portal/"
admin.site.login_form = ThrottledAdminAuthenticationForm
# At 1366 pixels the sidebar took the width the lists need; the index and breadcrumbs navigate.
admin.site.enable_nav_sidebar = False
