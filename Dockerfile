# One image for every ClinLoop process; the compose file picks the command.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json .npmrc ./
COPY apps/api/package.json apps/api/
COPY apps/worker/package.json apps/worker/
COPY apps/cli/package.json apps/cli/
COPY apps/patient-portal/package.json apps/patient-portal/
COPY apps/clinician-portal/package.json apps/clinician-portal/
COPY libs libs
COPY migrations migrations
RUN npm ci --include=dev --no-audit --no-fund
COPY . .
RUN npm run build && mkdir -p /var/lib/clinloop && chown node:node /var/lib/clinloop
USER node
EXPOSE 4000 4001 3000 3001
ENTRYPOINT ["node", "apps/cli/bin/clinloop.js"]
CMD ["api"]
