"""
The benchmark suite (`make bench`). Not part of the test suite: it builds its datasets in a
throwaway database, serves the project with the production gunicorn configuration, and drives
it from a separate load process on loopback. Throughput is reported as a ratio to a bare Django
JSON view served the same way in the same run, because these machines are shared and noisy.
"""
