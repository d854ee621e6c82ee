# Production image: gunicorn serves the app; the same image runs the Celery worker and beat.
FROM node:22-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY scripts/vendor_assets.py scripts/
RUN apt-get update && apt-get install -y --no-install-recommends python3 \
    && python3 scripts/vendor_assets.py

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_ENV=production
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
        ffmpeg \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 clamshell
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
COPY --from=assets /src/static/vendor static/vendor
RUN SECRET_KEY=build-only-collectstatic-key-not-used-at-run-time-000000 DEBUG=false \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/var && chown -R clamshell /app/var
USER clamshell
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
