#!/usr/bin/env bash
# `make run`: the gateway API, the delivery worker and Airflow (`airflow standalone`: api-server,
# scheduler, dag-processor, triggerer) on the embedded SQLite default; Ctrl-C stops them all.
#
# Everything lives under var/: the gateway database (var/b2connect.db), Airflow's home
# (var/airflow: its SQLite metadata database, logs, generated admin password). Paths are absolute
# because Airflow runs tasks in other working directories.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/.venv/bin"
VAR="${B2CONNECT_VAR_DIR:-$ROOT/var}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
AIRFLOW_PORT="${AIRFLOW_PORT:-8080}"
mkdir -p "$VAR"

# airflow standalone starts its components through PATH (reference/airflow.md).
export PATH="$BIN:$PATH"
export B2CONNECT_DATABASE_URL="${B2CONNECT_DATABASE_URL:-sqlite:///$VAR/b2connect.db}"
export B2CONNECT_MAPPINGS_DIR="${B2CONNECT_MAPPINGS_DIR:-$ROOT/mappings}"
export B2CONNECT_WORKER_HEARTBEAT="$VAR/worker.heartbeat"
export AIRFLOW_HOME="${AIRFLOW_HOME:-$VAR/airflow}"
export AIRFLOW__CORE__DAGS_FOLDER="$ROOT/dags"
export AIRFLOW__CORE__PLUGINS_FOLDER="$ROOT/dags/plugins"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=False
# Two cores: four LocalExecutor slots, not the default 32 idle processes (about 1 GiB less).
export AIRFLOW__CORE__PARALLELISM="${AIRFLOW__CORE__PARALLELISM:-4}"
export AIRFLOW__API__HOST="$HOST"
export AIRFLOW__API__PORT="$AIRFLOW_PORT"
export AIRFLOW__API__BASE_URL="http://$HOST:$AIRFLOW_PORT"

"$BIN/b2connect" db upgrade
"$BIN/airflow" db migrate >"$VAR/airflow-migrate.log" 2>&1 \
  || { cat "$VAR/airflow-migrate.log"; exit 1; }

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "Stopping the API, the worker and Airflow..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

"$BIN/b2connect" serve --host "$HOST" --port "$PORT" &
pids+=($!)
"$BIN/b2connect" worker &
pids+=($!)
# standalone's own output goes to a log; its components' logs are under $AIRFLOW_HOME/logs.
"$BIN/airflow" standalone >"$VAR/airflow-standalone.log" 2>&1 &
pids+=($!)

echo "Waiting for Airflow (about 20 s)..."
for _ in $(seq 1 120); do
  if "$BIN/python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
    "http://$HOST:$AIRFLOW_PORT/api/v2/version" >/dev/null 2>&1; then break; fi
  if ! kill -0 "${pids[2]}" 2>/dev/null; then
    echo "Airflow stopped; see $VAR/airflow-standalone.log"; exit 1
  fi
  sleep 1
done
password=$("$BIN/python" -c 'import json,sys; print(json.load(open(sys.argv[1])).get("admin","?"))' \
  "$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated" 2>/dev/null || echo "?")
cat <<INFO

B2Connect is running (Ctrl-C stops everything):
  Gateway API     http://$HOST:$PORT/docs
  Airflow UI      http://$HOST:$AIRFLOW_PORT   login: admin / $password
  The hub's pages http://$HOST:$AIRFLOW_PORT (B2Connect in the navigation)
  Delivery worker sends queued documents within a second (heartbeat: $B2CONNECT_WORKER_HEARTBEAT)
  Logs            $VAR/airflow-standalone.log, $AIRFLOW_HOME/logs/
INFO
wait -n "${pids[@]}"
