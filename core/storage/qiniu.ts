import qiniu from "qiniu";
import type { Config } from "../config.ts";
import { failureOfStatus, ProviderError } from "../providers/errors.ts";
import type { Storage } from "../providers/types.ts";

const NAME = "qiniu";

/**
 * Uploads to Qiniu through the `qiniu` SDK. The up host is always explicit: without a regions
 * provider the SDK first asks Qiniu's UC service which region the bucket is in, an extra call
 * that fails behind proxies and in tests.
 */
export function qiniuStorage(cfg: Config): Storage {
  const { QINIU_ACCESS_KEY, QINIU_SECRET_KEY, QINIU_BUCKET_NAME, QINIU_DOMAIN, QINIU_UP_HOST } =
    cfg;
  if (!QINIU_ACCESS_KEY || !QINIU_SECRET_KEY || !QINIU_BUCKET_NAME || !QINIU_DOMAIN) {
    throw new Error(
      "Qiniu storage needs QINIU_ACCESS_KEY, QINIU_SECRET_KEY, QINIU_BUCKET_NAME and QINIU_DOMAIN",
    );
  }
  const upHost = new URL(
    /^https?:\/\//.test(QINIU_UP_HOST ?? "")
      ? (QINIU_UP_HOST as string)
      : `https://${QINIU_UP_HOST ?? "upload.qiniup.com"}`,
  );
  const scheme = upHost.protocol.replace(":", "");
  const config = new qiniu.conf.Config({
    useHttpsDomain: scheme === "https",
    regionsProvider: new qiniu.httpc.Region({
      ...(cfg.QINIU_REGION ? { regionId: cfg.QINIU_REGION } : {}),
      services: {
        [qiniu.httpc.SERVICE_NAME.UP]: [
          new qiniu.httpc.Endpoint(upHost.host, { defaultScheme: scheme }),
        ],
      },
    }),
  });
  const uploader = new qiniu.form_up.FormUploader(config);
  const mac = new qiniu.auth.digest.Mac(QINIU_ACCESS_KEY, QINIU_SECRET_KEY);
  const domain = (
    /^https?:\/\//.test(QINIU_DOMAIN) ? QINIU_DOMAIN : `https://${QINIU_DOMAIN}`
  ).replace(/\/+$/, "");

  return {
    name: NAME,
    async put(key, bytes, mimeType) {
      // A token scoped to exactly this key, valid for one hour.
      const token = new qiniu.rs.PutPolicy({
        scope: `${QINIU_BUCKET_NAME}:${key}`,
        expires: 3600,
      }).uploadToken(mac);
      const extra = new qiniu.form_up.PutExtra(key, {}, mimeType);
      let result: Awaited<ReturnType<typeof uploader.put>>;
      try {
        result = await uploader.put(token, key, Buffer.from(bytes), extra);
      } catch (error) {
        throw new ProviderError(NAME, "unavailable", `upload failed: ${(error as Error).message}`);
      }
      // The SDK resolves on HTTP errors too.
      if (!result.ok()) {
        const status = result.resp?.statusCode;
        const detail = (result.data as { error?: string } | undefined)?.error ?? `HTTP ${status}`;
        throw new ProviderError(
          NAME,
          failureOfStatus(status),
          `upload of ${key} refused: ${detail}`,
        );
      }
      return `${domain}/${encodeURI(key)}`;
    },
  };
}
