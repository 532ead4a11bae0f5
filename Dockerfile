# claimdb: build on Debian 12 and run on a slim Debian 12 image.
FROM debian:12-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc make libc6-dev libmicrohttpd-dev libjansson-dev libpq-dev libsodium-dev libutf8proc-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile ./
COPY server ./server
COPY migrations ./migrations
COPY schema ./schema
COPY scripts ./scripts
RUN make BUILD=build build/claimdb

FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libmicrohttpd12 libjansson4 libpq5 libsodium23 libutf8proc2 curl ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --no-create-home claimdb \
 && mkdir -p /var/lib/claimdb && chown claimdb /var/lib/claimdb && chmod 700 /var/lib/claimdb
COPY --from=build /src/build/claimdb /usr/local/bin/claimdb
COPY fixtures/claimdb.ndjson /usr/share/claimdb/fixtures/claimdb.ndjson
USER claimdb
ENV LISTEN=0.0.0.0 PORT=8080
EXPOSE 8080
# The health check asks the port the server listens on (PORT may be changed at run time).
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD curl -fsS "http://127.0.0.1:${PORT:-8080}/readyz" || exit 1
# THREADS unset: one database connection per CPU the container may use (its
# CPU quota, e.g. `cpus: 2` in compose, not the host's core count).
# `serve` applies pending migrations before it listens.
ENTRYPOINT ["claimdb"]
CMD ["serve"]
