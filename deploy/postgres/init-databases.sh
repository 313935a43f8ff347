#!/bin/sh
# Creates the two databases of the hub on one PostgreSQL server, each owned by its own role:
# `b2connect` (the gateway) and `airflow` (Airflow's metadata). The postgres image runs this once,
# when its data volume is empty (docker-compose.yml mounts it into /docker-entrypoint-initdb.d).
# The passwords come from the environment and reach psql as variables, never as SQL text.
set -eu
: "${B2CONNECT_DB_PASSWORD:?set B2CONNECT_DB_PASSWORD}"
: "${AIRFLOW_DB_PASSWORD:?set AIRFLOW_DB_PASSWORD}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v gateway_password="$B2CONNECT_DB_PASSWORD" -v airflow_password="$AIRFLOW_DB_PASSWORD" <<'SQL'
CREATE ROLE b2connect LOGIN PASSWORD :'gateway_password';
CREATE DATABASE b2connect OWNER b2connect;
CREATE ROLE airflow LOGIN PASSWORD :'airflow_password';
CREATE DATABASE airflow OWNER airflow;
SQL
