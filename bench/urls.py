from django.http import JsonResponse
from django.urls import path

from oioi_portal.urls import urlpatterns as project_urlpatterns


def baseline(request):
    """The yardstick: a bare Django view returning a fixed small JSON document."""
    return JsonResponse({"result": {"code": 0, "message": "Success."}})


urlpatterns = [path("bench/baseline", baseline), *project_urlpatterns]
