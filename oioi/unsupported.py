"""
The OIOI v4 calls this platform knows and does not offer (docs/oioi.md, "Not supported:
payments"): the payment calls need a payment provider we do not have. The endpoint answers them
right after the API key check, for any role, so that a partner learns why instead of reading
"unknown call".
"""

PAYMENT_CALLS = frozenset(
    {
        "adyen-setup",
        "adyen-verify",
        "user-add-creditcard",
        "user-add-payment",
        "user-get-payment-methods",
        "user-manage-subscription",
        "user-subscription-get-active",
        "user-subscription-plans-get",
        "user-get-bills",
    }
)


def unsupported_message(name):
    """The message answering call ``name`` if the platform does not offer it, else None."""
    if name in PAYMENT_CALLS:
        return f"{name} is not supported by this platform."
    return None
