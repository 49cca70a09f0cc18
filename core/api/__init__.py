"""The REST API's shared parts: partner scoping, permissions, pagination."""
