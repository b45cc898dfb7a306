# Facet's production image: one `facet` binary, as `npm start` runs it (docs/architecture.md).
#
#   docker build -t facet:<version> .
#   docker run -d -p 3000:3000 -v facet-data:/data --env-file .env facet:<version>
#
# Configuration is the environment (.env.example lists every variable). Set PUBLIC_URL to the address
# people and chat platforms reach: without it (and without S3), image links are built from the bind
# address, http://0.0.0.0:3000/images/... With no Slack or Discord variables set, the playground is
# served at / without any login; set FACET_PLAYGROUND=0 on a host others can reach.
#
# Releases: apply the new version's migrations once, before rolling it out. The same image does it:
#
#   docker run --rm -e DATABASE_URL=postgres://... facet:<version> migrate
#
# Run as its own step, a failed migration stops the release before any new process starts. `facet
# migrate` is forward-only and safe to re-run, and every `facet start` migrates too, behind an advisory
# lock. An image older than the database refuses to start (its migrator finds migrations it does not
# know): undo a release by rolling forward with a fix, not back to the old image. Without DATABASE_URL,
# `migrate` and `start` use the embedded PGlite under FACET_DATA_DIR (/data): one process with its own
# volume, e.g. `docker run --rm -v facet-data:/data facet:<version> migrate`.
#
# Base: the current Node LTS, Node 26 ("Lithium", Active LTS since 2026-10-28), on Debian trixie, slim.
# The image runs the LTS while the project's tests run on Node 20 too (package.json engines: >=20.19).
# For reproducible builds pin a digest (node:26-trixie-slim@sha256:...) in both FROM lines.

# Stage 1: every dependency, and the type check. Nothing built here ships except package*.json, which
# the runtime stage copies from this stage so that BuildKit runs it (it skips stages nothing uses).
FROM node:26-trixie-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No package needs a compiler: sharp, esbuild (tsx's) and msgpackr-extract (via bullmq) come with
# prebuilt binaries in platform-specific optional dependencies, which the lockfile lists for each
# platform. package.json's `allowScripts` (read by npm 11 and later) approves esbuild's
# postinstall (it checks its binary) and denies the others, which nothing needs: msgpackr-extract's
# (a native build; its prebuilt binary is an optional dependency), protobufjs's and @google/genai's.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
# tsconfig.json also includes test/ and bench/, which .dockerignore leaves out: this checks src/.
RUN npm run typecheck

# Stage 2: production dependencies and the sources. TypeScript runs as is: tsx is a production
# dependency, and bin/facet.js runs src/ through it (or an esbuild bundle of src/, made below).
FROM node:26-trixie-slim AS runtime
# The offline renderer and the contact sheet draw their labels in SVG text through sharp ("DejaVu Sans"):
# slim has no fonts and no fontconfig configuration, and without them every label is a row of boxes.
# libjemalloc2: the allocator sharp recommends on glibc (see LD_PRELOAD below).
RUN apt-get update \
  && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    fontconfig-config fonts-dejavu-core libjemalloc2 \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json /app/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# Read at run time: bin/facet.js (the entry point), src/ (sources, and the playground page in
# src/bots/playground/page/), migrations/*.sql (found from src/storage/migrator.ts as ../../migrations/),
# tsconfig.json (tsx, and the bundle's cache key). manifest.yml is the Slack app manifest the deploy
# guide starts from.
COPY bin ./bin
COPY src ./src
COPY migrations ./migrations
COPY tsconfig.json manifest.yml ./
# bin/facet.js keeps an esbuild bundle of src/ in node_modules/.cache/facet, keyed by the sources, the
# Node version and the paths. Made here once, as root: at run time it is read-only and found; if it
# were not, bin/facet.js would run src/ through tsx's loader instead (it cannot write there as `node`).
RUN node bin/facet.js help > /dev/null

# State: the embedded database (/data/db), local images (/data/images) and the key that signs image
# URLs, when DATABASE_URL and S3_BUCKET are not set. Owned by node before VOLUME, so a new named volume
# starts out writable by it.
RUN mkdir -p /data && chown node:node /data
# LD_PRELOAD: jemalloc instead of glibc's allocator, in every Facet process (the worker processes inherit
# it). glibc keeps an arena per allocating thread and sharp's threads leave them fragmented: a job-worker
# process under load held ~570 MB with glibc's default, 330–390 MB with two arenas (MALLOC_ARENA_MAX=2, what
# Facet sets for its worker processes when nothing else is set) and less again with jemalloc, at the same
# CPU (docs/performance.md). A bare name: the loader finds it in the architecture's library directory.
# MALLOC_CONF: jemalloc returns freed pages after 1 s, from a background thread, instead of after 10 s and
# only while the process allocates (a job worker under load: ~255 MB resident instead of ~320).
ENV FACET_HOST=0.0.0.0 \
    PORT=3000 \
    FACET_DATA_DIR=/data \
    LD_PRELOAD=libjemalloc.so.2 \
    MALLOC_CONF=background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0
VOLUME ["/data"]

USER node
EXPOSE 3000
# slim has no curl: node asks /healthz (the process answers; /readyz adds the database and migrations).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "require('node:http').get('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { timeout: 4000 }, (res) => process.exit(res.statusCode === 200 ? 0 : 1)).on('timeout', () => process.exit(1)).on('error', () => process.exit(1))"]
# node is PID 1: `facet start` stops cleanly on SIGTERM (docker stop). Other commands add no signal
# handler; run them with `docker run --init` to make Ctrl-C work.
ENTRYPOINT ["node", "bin/facet.js"]
CMD ["start"]
