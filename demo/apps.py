from django.apps import AppConfig


class DemoConfig(AppConfig):
    """
    The demo: ``seed_demo``, each domain's demo data and the CPO simulator (``simulate_cpo``).
    It only uses the other apps; none of them imports it.
    """

    name = "demo"
    verbose_name = "Demo"
