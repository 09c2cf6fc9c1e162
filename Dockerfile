# strand chat server image.
#
#   docker build -t strand-chat .
#   docker run --rm -p 7070:7070 -p 8080:8080 strand-chat
#   nc 127.0.0.1 7070            # TCP line protocol
#   open http://127.0.0.1:8080   # the web page
#
# Two stages: `build` installs every dependency and compiles the TypeScript with the same
# commands the README gives (npm ci, npm run build); the runtime image gets production
# dependencies only, the compiled JavaScript and the chat's static page, and runs as a non-root
# user. The chat listens on 0.0.0.0 inside the container (its default is 127.0.0.1).

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY examples ./examples
RUN npm run build

FROM node:20-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/examples ./dist/examples
COPY examples/chat/public ./examples/chat/public
# The official image's unprivileged user (uid 1000); the app's files stay root-owned, read-only to it.
USER node
# 7070: chat over TCP (nc/telnet); 8080: the web page and its API.
EXPOSE 7070 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/examples/chat/main.js", "--host", "0.0.0.0"]
