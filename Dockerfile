# The nomnom-live backend with the live preview page, run from compiled JavaScript (no TypeScript loader).
#   docker build -t nomnom-live .
#   docker run -p 8080:8080 nomnom-live demo        # the TPC-H demo on the embedded PGlite: http://localhost:8080/
#   docker run -e DATABASE_URL=postgres://… -v $PWD/nomnom-live.yaml:/config/nomnom-live.yaml -p 8080:8080 \
#     nomnom-live serve --config /config/nomnom-live.yaml
#
# Two stages: `build` installs every dependency and builds the plugin (dist/), the preview page
# (preview/dist/) and the backend (lib/); the image keeps those outputs and the runtime dependencies only.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts skipped: `prepare` would build before the sources are here; the builds run below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build && npm run build:backend

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY examples ./examples
COPY --from=build /app/lib ./lib
COPY --from=build /app/dist ./dist
COPY --from=build /app/preview/dist ./preview/dist
# The preview page serves @grafana/ui's icons as Grafana does; @grafana/ui itself is a build dependency.
COPY --from=build /app/node_modules/@grafana/ui/dist/public/img/icons ./node_modules/@grafana/ui/dist/public/img/icons
USER node
EXPOSE 8080
ENTRYPOINT ["node", "bin/nomnom-live.js"]
CMD ["serve"]
