# The nomnom-live backend: the TypeScript sources run by tsx on Node.js, no build step.
#   docker build -t nomnom-live .
#   docker run -e DATABASE_URL=postgres://… -v $PWD/nomnom-live.yaml:/config/nomnom-live.yaml -p 8080:8080 \
#     nomnom-live serve --config /config/nomnom-live.yaml
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# Runtime dependencies only; install scripts belong to the plugin's build tools, which are not installed here.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY backend ./backend
COPY contract ./contract
COPY examples ./examples
USER node
EXPOSE 8080
ENTRYPOINT ["node", "bin/nomnom-live.js"]
CMD ["serve"]
