# syntax=docker/dockerfile:1
# Stowaway as a container image: a small Debian runtime holding the one
# binary, run as a non-root user.
#
#   docker build -t stowaway .
#   docker run --rm -v "$PWD:/work" stowaway scan oci:build/app:1.4
#
# The node-side commands need more than a non-root user (see
# examples/kubernetes/ and examples/systemd/): `drift --all`, `images`,
# `containers-storage:` and `docker-daemon:` read the host's stores, so run
# them with `--user 0` and the host paths mounted read-only.

# Any stable Rust at or above the crate's rust-version (1.88); `1` is the newest.
ARG RUST_VERSION=1
ARG DEBIAN=bookworm

FROM rust:${RUST_VERSION}-${DEBIAN} AS build
WORKDIR /src
COPY . .
# The registry index and the target directory are cached between builds.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked \
 && install -D -m 0755 target/release/stowaway /out/stowaway

FROM debian:${DEBIAN}-slim
# CA certificates for registries reached over TLS; nothing else is needed
# (SQLite, zstd and the TLS library are linked in).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /home/stowaway --create-home stowaway \
 && install -d -o 10001 -g 10001 /data /work
COPY --from=build /out/stowaway /usr/local/bin/stowaway
# The baseline store and layer cache: mount a volume on /data to keep them.
ENV XDG_DATA_HOME=/data
VOLUME ["/data"]
WORKDIR /work
USER 10001:10001
ENTRYPOINT ["stowaway"]
CMD ["--help"]
