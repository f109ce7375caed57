# The emrflow worker image (README "Deploy"): `emrflow worker` for the emr and emr-serverless
# providers. It holds no Spark, Java or Python: the Spark job runs on EMR, the worker only stages
# spark-jobs/ to S3. test/deploy/image-dependencies.test.ts installs exactly what this file
# installs (it reads the COPY, RUN npm ci and ENV lines below) and completes a run with it;
# hadolint checks this file (test/deploy/hadolint.test.ts).

# The Node the test suite runs on (the image test checks the major matches).
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# Stage 1: production dependencies only, exactly as the lockfile pins them. No install scripts:
# every native part (Temporal's core bridge, DuckDB, esbuild, swc) ships prebuilt per platform.
FROM ${NODE_IMAGE} AS deps
WORKDIR /opt/emrflow
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# Stage 2: the runtime. The sources are TypeScript that tsx (a production dependency) loads.
FROM ${NODE_IMAGE}
WORKDIR /opt/emrflow
ENV NODE_ENV=production \
    EMRFLOW_CONFIG=/etc/emrflow/dl.cfg \
    EMRFLOW_LOG_FORMAT=json \
    EMRFLOW_WORKER_HEALTH_PORT=8080 \
    EMRFLOW_WORKER_METRICS_PORT=9464
COPY --from=deps /opt/emrflow/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY activities ./activities
COPY infra ./infra
COPY pipelines ./pipelines
COPY workflows ./workflows
COPY spark-jobs ./spark-jobs
# The node image's unprivileged user, by number so Kubernetes' runAsNonRoot can verify it. It
# owns nothing here: the app is read-only to it, and with a read-only root file system only
# /tmp (tsx's compile cache) must be writable: mount a tmpfs or an empty volume there.
USER 1000:1000
# Both listen on 127.0.0.1 only (they have no authentication): the health check below and a
# metrics agent in the same task or pod reach them; nothing outside does.
EXPOSE 8080 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node is PID 1 and the Temporal runtime handles SIGTERM: the worker stops polling and hands
# its in-flight tasks back to Temporal, as under systemd (give it 60 s: ECS stopTimeout).
ENTRYPOINT ["node", "infra/bin/emrflow.mjs"]
CMD ["worker"]
