"""Shared setup of the Python interop suites (run by interop/run).

The TLS baton's certificate comes from a local CA ($BATON_CA). aiohttp (okta-jwt-verifier) reads
SSL_CERT_FILE through the ssl module's defaults, requests reads REQUESTS_CA_BUNDLE; both must be
set before those libraries build their first TLS context, hence here, before any test module is
imported. The helpers themselves live in baton_helpers.py.
"""

import os

if os.environ.get("BATON_CA"):
    os.environ["SSL_CERT_FILE"] = os.environ["BATON_CA"]
    os.environ["REQUESTS_CA_BUNDLE"] = os.environ["BATON_CA"]
