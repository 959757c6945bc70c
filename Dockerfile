# baton's image: `docker build -t baton .` (arm64: README, "docker-compose"). Two stages: the
# release binary built in the official Rust image, then a slim Debian runtime holding the binary
# (migrations, templates and the stylesheet are compiled into it), the Streamward demo seed and
# its keys. .dockerignore keeps the build context to the files copied here.
#
# The builder's tag pins the toolchain of rust-toolchain.toml (1.95). That file is not copied:
# it also asks for rustfmt and clippy, which the build does not use.
FROM rust:1.95-bookworm AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends pkg-config libssl-dev \
    && rm -rf /var/lib/apt/lists/*
# Stripped release binary; set here once, since a profile change would rebuild the dependencies.
ENV CARGO_PROFILE_RELEASE_STRIP=symbols
# Dependencies first, in their own layer, reused until Cargo.toml or Cargo.lock changes: the
# manifest built against placeholder sources, whose own artefacts are then removed so that the
# real sources below are always compiled.
COPY Cargo.toml Cargo.lock ./
RUN mkdir src && echo 'fn main() {}' >src/main.rs && touch src/lib.rs \
    && cargo build --release --locked --bin baton \
    && rm -rf src target/release/baton* target/release/deps/baton-* target/release/deps/libbaton-* \
       target/release/.fingerprint/baton-*
# Everything the crate reads at compile time: its sources, the embedded migrations, the askama
# templates and assets/ (include_str!).
COPY src ./src
COPY migrations ./migrations
COPY templates ./templates
COPY assets ./assets
RUN cargo build --release --locked --bin baton && ./target/release/baton --version

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libssl3 \
    && rm -rf /var/lib/apt/lists/*
# A fixed numeric user, so that volumes and Kubernetes' runAsNonRoot can rely on it.
RUN groupadd --system --gid 10001 baton \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/baton --no-create-home \
       --shell /usr/sbin/nologin baton \
    && mkdir -p /var/lib/baton/data /var/lib/baton/keys \
    && chown -R 10001:10001 /var/lib/baton && chmod 700 /var/lib/baton/keys
COPY --from=build /src/target/release/baton /usr/local/bin/baton
# The demo: the seed names its key files relative to itself (../keys/streamward/).
WORKDIR /app
COPY examples/streamward.yaml ./examples/streamward.yaml
COPY keys/streamward ./keys/streamward
USER 10001:10001
# State lives in the volumes: the SQLite database (unless DATABASE_URL names Postgres) and the
# key directory (the generated key-encryption key when BATON_KEY_ENCRYPTION_KEY is unset, the
# local TLS CA of --tls). With an unset BATON_ISSUER the issuer is http://localhost:8080, where
# `docker run -p 8080:8080` publishes it; set BATON_ISSUER to the URL clients use.
ENV BATON_LISTEN=0.0.0.0:8080 \
    DATABASE_URL=sqlite:///var/lib/baton/data/baton.db \
    BATON_KEYS_DIR=/var/lib/baton/keys
VOLUME ["/var/lib/baton/data", "/var/lib/baton/keys"]
EXPOSE 8080
# baton probes its own /readyz (on BATON_LISTEN's port, over loopback): no curl in the image.
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=20 CMD ["baton", "healthcheck"]
ENTRYPOINT ["baton"]
CMD ["serve"]
