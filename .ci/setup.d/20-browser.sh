#!/usr/bin/env bash
# smttask-viz's real-component tests: headless Chromium opens the interactive
# HTML (packages/smttask-viz/tests, scripts/docs-screenshots), and graphviz's
# `dot` lays out static SVG/PNG task graphs (a pure-Python layout is used and
# tested without it). Fonts so that screenshots show text.
source "$(dirname "$0")/apt.bash"
apt_install chromium graphviz fonts-dejavu-core || echo "SKIP: smttask-viz browser tests (chromium) and dot layouts (graphviz) will skip"
