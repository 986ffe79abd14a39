#!/bin/sh
# Runs the Python rules over the frameworks Debian installs under
# /usr/lib/python3/dist-packages (Django, Flask, FastAPI, Starlette, aiohttp,
# DRF, Flask-Limiter, limits) and compares the findings with the reviewed list
# analysis/python/testdata/dist-packages.findings (see
# docs/rules/real-codebases.md). Pass -update-real to accept new findings
# after reviewing them.
#
# Needs: apt-get install -y python3-django python3-flask python3-fastapi \
#   python3-starlette python3-aiohttp python3-djangorestframework \
#   python3-flask-limiter python3-limits
set -eu
cd "$(dirname "$0")/.."
exec go test ./analysis/python -run TestRealCodebases -count=1 -v "$@"
