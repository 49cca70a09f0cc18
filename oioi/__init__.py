"""The OIOI v4 protocol core: result codes, the envelope, the call registry and the endpoint."""
