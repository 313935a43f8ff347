# The gateway image used by docker-compose.yml. Installs exactly the versions of the committed
# constraints file, like `make run` does. Production settings by default: `serve` needs
# B2CONNECT_ADMIN_TOKEN (it binds 0.0.0.0 in the container) and no demo partners are served.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 B2CONNECT_ENVIRONMENT=production
WORKDIR /app
COPY pyproject.toml README.md ./
COPY constraints ./constraints
COPY schemas ./schemas
COPY connectors ./connectors
COPY mappings ./mappings
COPY gateway_api ./gateway_api
RUN pip install --no-cache-dir -c constraints/py3.11.txt . \
    && useradd --system --uid 10001 b2connect \
    && mkdir -p /app/var && chown b2connect /app/var
USER b2connect
EXPOSE 8000
CMD ["b2connect", "serve", "--host", "0.0.0.0", "--port", "8000"]
