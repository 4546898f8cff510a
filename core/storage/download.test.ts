import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isPublicAddress } from "../net/address.ts";
import { type DownloadOptions, downloadToFile } from "./download.ts";
import { writeLocalFile } from "./local.ts";

/** A 3 MiB "clip": an MP4 header, then noise. Far larger than one stream chunk (64 KiB). */
const CLIP = Buffer.concat([
  Buffer.from([0, 0, 0, 24]),
  Buffer.from("ftypisom"),
  randomBytes(3 * 1024 * 1024),
]);
const CHUNK = 64 * 1024;

/** Sends the body in many writes, without Content-Length unless asked (chunked encoding). */
const streamed =
  (body: Buffer, withLength = false): RequestListener =>
  async (_req, res) => {
    res.writeHead(200, {
      "content-type": "video/mp4",
      ...(withLength ? { "content-length": String(body.length) } : {}),
    });
    for (let at = 0; at < body.length && !res.destroyed; at += CHUNK) {
      if (!res.write(body.subarray(at, at + CHUNK))) {
        await new Promise((resolve) => res.once("drain", resolve).once("close", resolve));
      }
    }
    res.end();
  };

const routes: Record<string, RequestListener> = {
  "/clip.mp4": streamed(CLIP),
  "/sized.mp4": streamed(CLIP, true),
  "/page.html": (_req, res) =>
    res.writeHead(200, { "content-type": "video/mp4" }).end("<html>error page</html>"),
  "/to-metadata": (_req, res) =>
    res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data" }).end(),
  "/moved": (_req, res) => res.writeHead(301, { location: "/clip.mp4" }).end(),
};

let server: Server;
let base: string;
let dir: string;
let seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? "");
    const route = routes[req.url ?? ""];
    if (route) route(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), "download-test-"));
});
beforeEach(() => {
  seen = [];
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

/** Our own test server is the only non-public address let through. */
const video: DownloadOptions = {
  accept: "video",
  maxBytes: 8 * 1024 * 1024,
  isAllowedAddress: (ip) => ip === "127.0.0.1" || isPublicAddress(ip),
};

describe("downloading to a file", () => {
  it("streams a body of many chunks to disk, reporting progress as it goes", async () => {
    const path = join(dir, "clip.mp4");
    const progress: number[] = [];
    const file = await downloadToFile(`${base}/moved`, path, {
      ...video,
      onProgress: (received) => progress.push(received),
    });
    expect(file).toEqual({ sizeBytes: CLIP.length, contentType: "video/mp4" });
    expect((await readFile(path)).equals(CLIP)).toBe(true);
    // Written piece by piece, not once at the end.
    expect(progress.length).toBeGreaterThan(10);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(CLIP.length);
  });

  it("passes the declared size to progress", async () => {
    const totals = new Set<number | undefined>();
    await downloadToFile(`${base}/sized.mp4`, join(dir, "sized.mp4"), {
      ...video,
      onProgress: (_received, total) => totals.add(total),
    });
    expect([...totals]).toEqual([CLIP.length]);
  });

  it("stops at the size limit with a clear error and leaves no partial file", async () => {
    const path = join(dir, "capped.mp4");
    const progress: number[] = [];
    const capped = { ...video, maxBytes: 1024 * 1024, onProgress: (n: number) => progress.push(n) };
    await expect(downloadToFile(`${base}/clip.mp4`, path, capped)).rejects.toMatchObject({
      status: 413,
      code: "remote_file_too_large",
      message: expect.stringContaining("larger than 1048576 bytes"),
    });
    expect(existsSync(path)).toBe(false);
    // It stopped reading at the cap instead of taking the whole body first.
    expect(Math.max(...progress)).toBeLessThanOrEqual(1024 * 1024);
    // A declared Content-Length over the limit is refused before any byte is written.
    progress.length = 0;
    await expect(downloadToFile(`${base}/sized.mp4`, path, capped)).rejects.toMatchObject({
      code: "remote_file_too_large",
    });
    expect(progress).toEqual([]);
    expect(existsSync(path)).toBe(false);
  });

  it("refuses what is not a video, whatever the Content-Type says", async () => {
    const path = join(dir, "page.mp4");
    await expect(downloadToFile(`${base}/page.html`, path, video)).rejects.toMatchObject({
      code: "unsupported_file_type",
    });
    expect(existsSync(path)).toBe(false);
  });

  it("applies the safe fetch's URL rules: loopback and redirects to metadata are refused", async () => {
    const path = join(dir, "refused.mp4");
    const strict: DownloadOptions = { accept: "video", maxBytes: 1024, allowPrivate: false };
    await expect(downloadToFile(`${base}/clip.mp4`, path, strict)).rejects.toMatchObject({
      code: "url_not_allowed",
    });
    expect(seen).toEqual([]);
    await expect(downloadToFile(`${base}/to-metadata`, path, video)).rejects.toMatchObject({
      code: "url_not_allowed",
    });
    expect(seen).toEqual(["/to-metadata"]);
    await expect(
      downloadToFile("http://clip.invalid/a.mp4", path, video), // RFC 6761: never resolves
    ).rejects.toMatchObject({ code: "url_unresolvable" });
    for (const url of ["file:///etc/passwd", "http://user:pw@example.com/a.mp4"]) {
      await expect(downloadToFile(url, path, video)).rejects.toMatchObject({
        code: "invalid_url",
      });
    }
    expect(existsSync(path)).toBe(false);
  });

  it("copies our own stored files from disk, with the same limit", async () => {
    const url = await writeLocalFile("test/download/clip.mp4", CLIP);
    const path = join(dir, "stored.mp4");
    const progress: [number, number | undefined][] = [];
    const file = await downloadToFile(url, path, {
      ...video,
      onProgress: (n, total) => progress.push([n, total]),
    });
    expect(file.sizeBytes).toBe(CLIP.length);
    expect((await readFile(path)).equals(CLIP)).toBe(true);
    expect(progress.at(-1)).toEqual([CLIP.length, CLIP.length]);
    expect(seen).toEqual([]);
    await expect(downloadToFile(url, path, { ...video, maxBytes: 1000 })).rejects.toMatchObject({
      code: "remote_file_too_large",
    });
    await expect(
      downloadToFile(url.replace("clip.mp4", "gone.mp4"), path, video),
    ).rejects.toMatchObject({ code: "file_missing" });
    expect(existsSync(path)).toBe(false);
  });
});
