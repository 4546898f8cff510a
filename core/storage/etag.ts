import { createHash } from "node:crypto";

const BLOCK = 4 * 1024 * 1024;
const sha1 = (data: Uint8Array) => createHash("sha1").update(data).digest();

/** Qiniu's content hash ("etag"): SHA-1 of the data, or of the SHA-1s of its 4 MiB blocks. */
export function qiniuEtag(data: Uint8Array): string {
  let prefix: number;
  let digest: Buffer;
  if (data.length <= BLOCK) {
    prefix = 0x16;
    digest = sha1(data);
  } else {
    prefix = 0x96;
    const blocks: Buffer[] = [];
    for (let at = 0; at < data.length; at += BLOCK)
      blocks.push(sha1(data.subarray(at, at + BLOCK)));
    digest = sha1(Buffer.concat(blocks));
  }
  return Buffer.concat([Buffer.from([prefix]), digest])
    .toString("base64")
    .replaceAll("+", "-")
    .replaceAll("/", "_");
}
