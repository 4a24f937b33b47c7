# syntax=docker/dockerfile:1
# recograph API image: multi-stage, production dependencies only, runs as a non-root user.
#   docker build -t recograph .
#   GPU (CUDA 12): see docker-compose.gpu.yml (build args ONNXRUNTIME_NODE_INSTALL and RUNTIME_BASE).

ARG NODE_IMAGE=node:20-bookworm-slim
ARG RUNTIME_BASE=node:20-bookworm-slim

# Compiles TypeScript to dist/ and the admin panel to dist/admin/, with the full (dev) dependency set.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-fund --no-audit
COPY tsconfig.json tsconfig.build.json schema.graphql ./
COPY src ./src
COPY web ./web
COPY scripts/build.mjs ./scripts/
RUN npm run build

# Production dependencies only; better-sqlite3 is a native addon, hence the toolchain.
FROM ${NODE_IMAGE} AS deps
ARG ONNXRUNTIME_NODE_INSTALL=skip
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
RUN ONNXRUNTIME_NODE_INSTALL=${ONNXRUNTIME_NODE_INSTALL} npm ci --omit=dev --no-fund --no-audit

FROM ${NODE_IMAGE} AS node

FROM ${RUNTIME_BASE} AS runtime
# The same Node.js binary whatever the base (the CUDA base image has none).
COPY --from=node /usr/local/bin/node /usr/local/bin/node
RUN groupadd --system recograph && useradd --system --gid recograph --home-dir /app recograph
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000 DATA_DIR=/app/data MODEL_DIR=/app/models/demo
# A heap limit, so memory under load has a bound (docs/reliability.md, memory); override as needed.
ENV NODE_OPTIONS=--max-old-space-size=512
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json schema.graphql ./
COPY models ./models
RUN mkdir -p /app/data && chown recograph:recograph /app/data
VOLUME ["/app/data"]
USER recograph
EXPOSE 4000
CMD ["node", "dist/main.js"]
