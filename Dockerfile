# syntax=docker/dockerfile:1
# nhi in a container: a static (musl) binary on an empty image, running as a non-root user, with no shell,
# package manager or libraries at run time. Built from this checkout alone: no git, no download of nhi.
#
#   docker build -t nhi --build-arg NHI_COMMIT="$(git rev-parse HEAD)" .
#   docker run --rm -v "$PWD:/registry:ro" nhi check --as-of 2026-11-23 registry
#
# Cargo fetches the locked dependencies from crates.io in the build stage; with `cargo vendor` run first (see
# docs/install.md) the build needs no network beyond the base image.

FROM rust:1-alpine AS build
# mimalloc is C: the compiler and musl's headers. Alpine's Rust targets musl and links statically.
# Alpine removes superseded package versions, so a pinned version would break the build within weeks.
# hadolint ignore=DL3018
RUN apk add --no-cache gcc musl-dev
WORKDIR /src
COPY . .
# The commit `nhi --version` names (there is no .git in the build context).
ARG NHI_COMMIT=""
ENV NHI_COMMIT=${NHI_COMMIT} \
    CARGO_PROFILE_RELEASE_DEBUG=0 \
    CARGO_PROFILE_RELEASE_STRIP=true
RUN cargo build --release --locked --bin nhi \
 && cp target/release/nhi /usr/local/bin/nhi \
 && nhi --version \
 && nhi check registry --as-of 2026-11-23 --color never > /dev/null

FROM scratch
COPY --from=build /usr/local/bin/nhi /nhi
# Proves the binary runs on an empty image (exec form: there is no shell to run it through).
RUN ["/nhi", "--version"]
# nobody's conventional id; mount the registry read-only at /registry.
USER 65532:65532
WORKDIR /registry
ENTRYPOINT ["/nhi"]
CMD ["check", "."]
LABEL org.opencontainers.image.title="nhi" \
      org.opencontainers.image.description="A GitOps registry compiler for non-human identities" \
      org.opencontainers.image.licenses="Apache-2.0"
