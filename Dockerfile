# syntax=docker/dockerfile:1
# The server as a container: the prebuilt Linux binary on a distroless base (glibc, no shell), running
# as the non-root user, serving streamable HTTP on port 8000, with all state under the /data volume.
#
# Build the binaries first, then the image (one or both architectures):
#   bun scripts/build.ts --target linux-x64 --target linux-arm64
#   docker buildx build --platform linux/amd64,linux/arm64 -t image-generation-mcp .
ARG TARGETARCH

FROM scratch AS binary-amd64
COPY dist/image-generation-mcp-linux-x64/bin/image-generation-mcp /image-generation-mcp

FROM scratch AS binary-arm64
COPY dist/image-generation-mcp-linux-arm64/bin/image-generation-mcp /image-generation-mcp

FROM binary-${TARGETARCH} AS binary

# distroless has no shell to create the volume's directory with the right owner.
FROM debian:bookworm-slim AS data
RUN install -d -o 65532 -g 65532 -m 0750 /data

FROM gcr.io/distroless/base-debian12:nonroot
COPY --from=binary /image-generation-mcp /usr/bin/image-generation-mcp
COPY --from=data --chown=65532:65532 /data /data
ENV HOME=/data \
    IMAGE_GENERATION_MCP_SCRATCH_DIR=/data/images \
    IMAGE_GENERATION_MCP_STYLES_DIR=/data/styles \
    IMAGE_GENERATION_MCP_DB_PATH=/data/state.sqlite
USER 65532:65532
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
# No HEALTHCHECK: the image has no HTTP client. Orchestrators can probe GET /healthz on port 8000.
ENTRYPOINT ["/usr/bin/image-generation-mcp"]
CMD ["serve", "--transport", "http", "--host", "0.0.0.0"]
