import qiniu from "qiniu";
import { describe, expect, it } from "vitest";
import { qiniuEtag } from "./etag.ts";
import {
  keyInScope,
  mimeAllowed,
  signUploadToken,
  uploadKey,
  verifyUploadToken,
} from "./upload-token.ts";

const policy = {
  scope: "bucket:uploads/",
  isPrefixalScope: 1 as const,
  saveKey: "uploads/$(etag)$(ext)",
  returnBody: '{"key":"$(key)"}',
  fsizeLimit: 1024,
  mimeLimit: "image/*;video/mp4",
  deadline: 4_000_000_000,
};

describe("upload tokens", () => {
  it("signs byte-for-byte like the qiniu SDK's PutPolicy", () => {
    const mac = new qiniu.auth.digest.Mac("AK", "SK");
    const sdkPolicy = new qiniu.rs.PutPolicy({ ...policy, expires: 3600 });
    // The SDK computes deadline from the clock; pin it to compare whole tokens.
    Object.assign(sdkPolicy, { expires: policy.deadline - Math.floor(Date.now() / 1000) });
    const sdkToken = sdkPolicy.uploadToken(mac);
    const sdkDeadline = JSON.parse(
      Buffer.from(sdkToken.split(":")[2] ?? "", "base64").toString(),
    ).deadline;
    expect(signUploadToken({ ...policy, deadline: sdkDeadline }, "AK", "SK")).toBe(sdkToken);
    expect(verifyUploadToken(sdkToken, "AK", "SK")).toMatchObject({ scope: "bucket:uploads/" });
  });

  it("rejects tampered, foreign, malformed and expired tokens with 401", () => {
    const token = signUploadToken(policy, "AK", "SK");
    const [ak, sign, encoded] = token.split(":");
    const widened = Buffer.from(JSON.stringify({ ...policy, scope: "bucket" })).toString("base64");
    const cases = [
      `${ak}:${sign}:${widened}`,
      signUploadToken(policy, "AK", "other-secret"),
      signUploadToken(policy, "BK", "SK"),
      "nonsense",
      `${ak}:${sign}`,
      `${ak}:${sign}:${encoded}:extra`,
      signUploadToken({ ...policy, deadline: 1000 }, "AK", "SK"),
    ];
    for (const bad of cases) {
      expect(() => verifyUploadToken(bad, "AK", "SK"), bad).toThrow(
        expect.objectContaining({ status: 401, code: "invalid_upload_token" }),
      );
    }
  });

  it("checks key scope and MIME limits like Qiniu", () => {
    expect(keyInScope(policy, "bucket", "uploads/a.png")).toBe(true);
    expect(keyInScope(policy, "bucket", "other/a.png")).toBe(false);
    expect(keyInScope(policy, "elsewhere", "uploads/a.png")).toBe(false);
    expect(keyInScope({ scope: "bucket:exact.png", deadline: 1 }, "bucket", "exact.png2")).toBe(
      false,
    );
    expect(keyInScope({ scope: "bucket", deadline: 1 }, "bucket", "anything")).toBe(true);
    expect(mimeAllowed(policy, "image/png")).toBe(true);
    expect(mimeAllowed(policy, "video/mp4")).toBe(true);
    expect(mimeAllowed(policy, "video/webm")).toBe(false);
    expect(mimeAllowed(policy, "text/html")).toBe(false);
  });

  it("names an upload like Qiniu: forced saveKey, form key, saveKey, scope key, hash", () => {
    const facts = { bucket: "bucket", etag: "Fhash", fname: "photo.JPEG", mimeType: "image/jpeg" };
    expect(uploadKey(policy, undefined, facts)).toBe("uploads/Fhash.jpg");
    expect(uploadKey(policy, "uploads/mine.png", facts)).toBe("uploads/mine.png");
    expect(uploadKey({ ...policy, forceSaveKey: true }, "uploads/mine.png", facts)).toBe(
      "uploads/Fhash.jpg",
    );
    const other = { ...facts, mimeType: "image/heic", fname: "x.HEIC" };
    expect(uploadKey(policy, undefined, other)).toBe("uploads/Fhash.heic");
    const noName = { ...facts, mimeType: "image/x-unknown", fname: "blob" };
    expect(uploadKey(policy, undefined, noName)).toBe("uploads/Fhash");
    const exact = { scope: "bucket:a.png", deadline: 1 };
    expect(uploadKey(exact, undefined, facts)).toBe("a.png");
    expect(uploadKey({ scope: "bucket", deadline: 1 }, undefined, facts)).toBe("Fhash");
  });

  it("computes Qiniu's etag for small and multi-block data", () => {
    // Reference values from Qiniu's documented algorithm (0x16 + sha1 / 0x96 + sha1 of sha1s).
    expect(qiniuEtag(new Uint8Array())).toBe("Fto5o-5ea0sNMlW_75VgGJCv2AcJ");
    const big = new Uint8Array(4 * 1024 * 1024 + 1);
    expect(qiniuEtag(big).startsWith("l")).toBe(true);
    expect(qiniuEtag(big)).not.toBe(qiniuEtag(big.subarray(0, 4 * 1024 * 1024)));
  });
});
