# syntax=docker/dockerfile:1
# agentbox: the gateway in a container (CONTRACT §7). Node 20 slim, a non-root user, tini as PID 1,
# a HEALTHCHECK on /health/liveliness.
#
#   docker build -t agentbox .
#   docker run -d --name agentbox -e OPENAI_API_KEY \
#     -v "$PWD/config.yml:/home/abox/.config/agentbox/config.yml:ro" agentbox
#   docker exec agentbox agentbox litellm status
#
# The gateway listens on 127.0.0.1 inside the container (for agents running in it). To publish the
# port, set `litellm.host: 0.0.0.0` and a `litellm.master_key` in the config, and `-p 4000:4000`.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# config.schema.jso[n]: copied when present (a glob that matches nothing is not an error).
COPY package.json package-lock.json .npmrc config.schema.jso[n] ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
COPY container ./container
COPY scripts/bundle-daemon.mjs ./scripts/
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && chmod 0755 bin/agentbox.js container/*.sh container/*.mjs

FROM ${NODE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*

ARG AGENTBOX_UID=1001
RUN useradd --create-home --uid "${AGENTBOX_UID}" --user-group --shell /bin/bash abox

WORKDIR /opt/agentbox
COPY --from=build /src/package.json /src/package-lock.json /src/config.schema.jso[n] ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
COPY --from=build /src/container ./container
RUN ln -s /opt/agentbox/bin/agentbox.js /usr/local/bin/agentbox

ENV NODE_ENV=production \
    AGENTBOX_USER=abox

USER abox
WORKDIR /home/abox
EXPOSE 4000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "/opt/agentbox/container/healthcheck.mjs"]

# container-init.sh starts the gateway when the config enables it, then, without a command, follows
# its log; `docker stop` (SIGTERM) stops the gateway after in-flight requests finish (up to 10 s:
# use `docker stop -t 15`). With a command (`docker run -it agentbox bash`) it runs that instead.
ENTRYPOINT ["/usr/bin/tini", "--", "/opt/agentbox/container/container-init.sh"]
CMD []
