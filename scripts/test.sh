#!/bin/sh
# The README's test command, and CI's: install the test extras and what the browser tests need, check the style,
# run the whole suite. Arguments go to pytest (`sh scripts/test.sh -k serve`).
set -eu
cd "$(dirname "$0")/.."
python3 -m pip install --quiet -e '.[test]'
sh scripts/browser-deps.sh
ruff check kb tests scripts benchmarks
exec python3 -m pytest -q "$@"
