# One image for the whole hub (docker-compose.yml): the gateway (API, delivery worker,
# migrations) and Airflow 3 with the hub's DAGs, which call the gateway in-process. Installs
# exactly the versions of the committed constraints file, like `make run` does; the `celery`
# extra is the Celery executor's provider, used only by the compose `celery` profile.
# Production settings by default: `serve` needs B2CONNECT_ADMIN_TOKEN (it binds 0.0.0.0 in the
# container) and no demo partners are served. Runs as an unprivileged user.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    B2CONNECT_ENVIRONMENT=production \
    AIRFLOW_HOME=/opt/airflow \
    AIRFLOW__CORE__DAGS_FOLDER=/app/dags \
    AIRFLOW__CORE__PLUGINS_FOLDER=/app/dags/plugins \
    AIRFLOW__CORE__LOAD_EXAMPLES=False
WORKDIR /app
COPY pyproject.toml README.md ./
COPY constraints ./constraints
COPY schemas ./schemas
COPY connectors ./connectors
COPY mappings ./mappings
COPY gateway_api ./gateway_api
RUN pip install --no-cache-dir -c constraints/py3.11.txt '.[airflow,celery]' \
    && useradd --system --uid 10001 --home-dir /app b2connect \
    && mkdir -p /app/var /opt/airflow/logs /opt/airflow/auth \
    && chown -R b2connect:b2connect /app/var /opt/airflow
COPY dags ./dags
USER b2connect
EXPOSE 8000 8080
CMD ["b2connect", "serve", "--host", "0.0.0.0", "--port", "8000"]
