# baton: multi-stage build. The runtime image holds the binary, migrations are embedded in it,
# and the examples/keys needed by the demo seed.
FROM rust:1.95-bookworm AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends pkg-config libssl-dev && rm -rf /var/lib/apt/lists/*
COPY Cargo.toml Cargo.lock rust-toolchain.toml ./
COPY src ./src
COPY migrations ./migrations
COPY templates ./templates
RUN cargo build --release --locked --bin baton

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libssl3 curl \
    && rm -rf /var/lib/apt/lists/* && useradd --system --home /app baton
WORKDIR /app
COPY --from=build /src/target/release/baton /usr/local/bin/baton
COPY examples ./examples
COPY keys/streamward ./keys/streamward
RUN mkdir -p /app/data && chown -R baton /app
USER baton
ENV BATON_LISTEN=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --retries=20 CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["baton"]
CMD ["serve"]
