# citygeo in a container: `docker build -t citygeo .` then `docker run -p 8080:8080 citygeo`
# serves the built-in sample city. For a real city, mount a folder with the store and a config:
#   docker run -p 8080:8080 -v /srv/citygeo:/data citygeo serve --config /data/citygeo.yaml
# Three stages: the wall page's assets (npm), the binary (Go, static: pure-Go SQLite, no cgo),
# and a small runtime image running as an unprivileged user. deploy/deploy_test.go parses this
# file and checks those properties.

FROM node:22-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=web /src/web/dist ./web/dist
# The commit and its time for `citygeo version` (docker build --build-arg COMMIT=$(git rev-parse HEAD) …).
ARG COMMIT=""
ARG DATE=""
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X citygeo/cmd/citygeo/internal/buildinfo.Commit=${COMMIT} -X citygeo/cmd/citygeo/internal/buildinfo.Date=${DATE}" \
      -o /out/citygeo ./cmd/citygeo

FROM alpine:3.22
# busybox wget for the health check; tzdata for the GMT+8 patrol days; ca-certificates for a
# JWKS fetched over https.
RUN apk add --no-cache ca-certificates tzdata \
 && addgroup -S -g 10001 citygeo \
 && adduser -S -D -H -u 10001 -G citygeo citygeo \
 && mkdir /data && chown citygeo:citygeo /data
COPY --from=build /out/citygeo /usr/local/bin/citygeo
USER 10001:10001
WORKDIR /data
VOLUME /data
EXPOSE 8080
ENV CITYGEO_ADDR=0.0.0.0:8080 CITYGEO_LOG_FORMAT=json
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD wget -q -O /dev/null http://127.0.0.1:8080/healthz || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/citygeo"]
CMD ["serve"]
