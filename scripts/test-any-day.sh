#!/usr/bin/env bash
# Runs the whole suite with the wall clock moved to several instants, in every Python process
# the suite starts (tests/anyday/sitecustomize.py), and with TZ set to zones that are neither
# UTC nor Hong Kong. The monotonic clock stays real. Exits 0 only when every run passed.
#
#   scripts/test-any-day.sh              # every instant below
#   scripts/test-any-day.sh 2031-07-15T03:30:00+08:00=America/New_York   # one instant=TZ
set -uo pipefail
cd "$(dirname "$0")/.."

# instant (RFC 3339) = the TZ the run uses. The first crosses midnight of a new year in Hong
# Kong two minutes into the run (day, month and year change while tests run).
RUNS=(
    "2027-12-31T23:58:00+08:00=America/New_York"
    "2028-02-29T09:15:00+08:00=Pacific/Chatham"
    "2031-07-15T03:30:00+08:00=Europe/London"
    "2029-03-31T23:59:00+08:00=Asia/Kolkata"
)
[ $# -gt 0 ] && RUNS=("$@")

make --no-print-directory setup >/dev/null || { echo "test-any-day: make setup failed" >&2; exit 2; }
PY=.venv/bin/python
"$PY" -c 'import time_machine' 2>/dev/null || {
    echo "test-any-day: time-machine is missing from .venv (it is a dev dependency: make setup)" >&2
    exit 2
}

failed=()
for run in "${RUNS[@]}"; do
    instant="${run%%=*}"
    zone="${run#*=}"
    offset=$("$PY" -c 'import sys, time; from datetime import datetime
print(datetime.fromisoformat(sys.argv[1]).timestamp() - time.time())' "$instant")
    echo "== $instant (TZ=$zone): a child process sees $(KIOSK_TEST_CLOCK_OFFSET_S="$offset" TZ="$zone" \
        PYTHONPATH="$PWD/tests/anyday" "$PY" -c 'import datetime; print(datetime.datetime.now().astimezone().isoformat(timespec="seconds"))') =="
    if KIOSK_TEST_CLOCK_OFFSET_S="$offset" TZ="$zone" \
       PYTHONPATH="$PWD/tests/anyday${PYTHONPATH:+:$PYTHONPATH}" \
       "$PY" -m pytest -q -p no:cacheprovider -W ignore::pytest.PytestAssertRewriteWarning tests; then
        echo "== passed: $instant (TZ=$zone)"
    else
        echo "== FAILED: $instant (TZ=$zone)"
        failed+=("$instant")
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "test-any-day: failed at ${failed[*]}"
    exit 1
fi
echo "test-any-day: every instant passed (${#RUNS[@]} runs)"
