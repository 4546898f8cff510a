import qiniu from "qiniu";
import type { Config } from "../config.ts";
import { failureOfStatus, ProviderError } from "../providers/errors.ts";
import type { Storage } from "../providers/types.ts";

const NAME = "qiniu";

/** What both uploaders resolve with (the SDK's ResponseWrapper; its resume typings omit `ok()`). */
interface UploadResult {
  data: unknown;
  resp?: { statusCode?: number };
}

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
  // Files go up in parts: the form uploader buffers a whole file to compute its crc32.
  const resumer = new qiniu.resume_up.ResumeUploader(config);
  const mac = new qiniu.auth.digest.Mac(QINIU_ACCESS_KEY, QINIU_SECRET_KEY);
  const domain = (
    /^https?:\/\//.test(QINIU_DOMAIN) ? QINIU_DOMAIN : `https://${QINIU_DOMAIN}`
  ).replace(/\/+$/, "");
  // A token scoped to exactly this key, valid for one hour.
  const tokenFor = (key: string) =>
    new qiniu.rs.PutPolicy({ scope: `${QINIU_BUCKET_NAME}:${key}`, expires: 3600 }).uploadToken(
      mac,
    );

  /** The SDK resolves on HTTP errors too: only a 2xx answer means stored. */
  async function stored(key: string, upload: () => Promise<UploadResult>) {
    let result: UploadResult;
    try {
      result = await upload();
    } catch (error) {
      throw new ProviderError(NAME, "unavailable", `upload failed: ${(error as Error).message}`);
    }
    const status = result.resp?.statusCode;
    if (!status || Math.floor(status / 100) !== 2) {
      const detail = (result.data as { error?: string } | undefined)?.error ?? `HTTP ${status}`;
      throw new ProviderError(NAME, failureOfStatus(status), `upload of ${key} refused: ${detail}`);
    }
    return `${domain}/${encodeURI(key)}`;
  }

  return {
    name: NAME,
    put: (key, bytes, mimeType) =>
      stored(key, () =>
        uploader.put(
          tokenFor(key),
          key,
          Buffer.from(bytes),
          new qiniu.form_up.PutExtra(key, {}, mimeType),
        ),
      ),
    putFile: (key, path, mimeType, onProgress) =>
      stored(key, () =>
        resumer.putFile(
          tokenFor(key),
          key,
          path,
          qiniu.resume_up.PutExtra.create(key, {}, mimeType, undefined, onProgress),
        ),
      ),
  };
}
