import { api } from "./api";

/**
 * Paths the API answers outside the console. The router sends these to API Gateway and everything
 * else to the console, so the browser sees one origin: the console calls `/api/v1/…` on its own
 * origin (console/src/api.ts), with no API URL baked into the build and no CORS.
 * test/infra.test.ts checks every route of the route table starts with one of them.
 */
export const API_PATHS = ["/api", "/health", "/docs", "/openapi.json"];

/** Above the API routes' 29 s timeout, so CloudFront never cuts a reply API Gateway would send. */
const API_READ_TIMEOUT = "30 seconds";

/**
 * One CloudFront distribution in front of the console and the API. Its cache policy is SST's
 * (nothing cached unless the origin says so: the API sends no Cache-Control) plus
 * `authorization`: CloudFront forwards that header to an origin only when it is part of the cache
 * key, so without it every API call through the router would arrive without its key (401), and
 * with it nothing could ever be served from one key's cache to another.
 */
export const web = new sst.aws.Router("Web", {
  transform: {
    cachePolicy: {
      parametersInCacheKeyAndForwardedToOrigin: {
        cookiesConfig: { cookieBehavior: "none" },
        headersConfig: {
          headerBehavior: "whitelist",
          // The first two are SST's own (its router functions set them).
          headers: { items: ["x-open-next-cache-key", "x-forwarded-host", "authorization"] },
        },
        queryStringsConfig: { queryStringBehavior: "all" },
        enableAcceptEncodingBrotli: true,
        enableAcceptEncodingGzip: true,
      },
    },
  },
});

for (const path of API_PATHS) web.route(path, api.url, { readTimeout: API_READ_TIMEOUT });

/**
 * The web console (Vite + Preact) as a static site on S3, served at `/` of the router. Its build
 * writes `console/dist`, the folder `npm start` serves locally (functions/local/console.ts). Any
 * path that is not a file gets `index.html` (the default error page), as the console routes in
 * the browser.
 */
export const consoleSite = new sst.aws.StaticSite("Console", {
  path: "console",
  build: { command: "npm run build", output: "dist" },
  router: { instance: web },
  // SST writes Vite env types on deploy; keep them in its own ignored folder, not console/src.
  vite: { types: "../.sst/console-env.d.ts" },
});
