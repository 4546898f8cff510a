import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { resetConfig } from "../../core/config.ts";
import { assets, storyboards } from "../../core/db/schema.ts";
import { notFound, useResolver } from "../../core/net/resolve.ts";
import { localFileUrl } from "../../core/storage/local.ts";
import { testApi } from "../../test/support/app.ts";

/** DNS for these tests: a fixed table, so no lookup leaves the machine. */
const DNS: Record<string, string[]> = {
  "cdn.example.com": ["93.184.215.14"],
  "photos.example.com": ["2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
  "intranet.example.com": ["10.1.2.3"],
  "rebind.example.com": ["93.184.215.14", "127.0.0.1"],
  "metadata-alias.example.com": ["169.254.169.254"],
};
const lookups: string[] = [];

let api: Awaited<ReturnType<typeof testApi>>;
beforeAll(async () => {
  api = await testApi();
  useResolver(async (host) => {
    lookups.push(host);
    const found = DNS[host];
    if (!found) throw notFound(host);
    return found;
  });
});
afterAll(() => useResolver(undefined));

async function projectWithAssets() {
  const { id } = (await api.call("POST", "/api/v1/projects", { name: "p" })).body;
  const rows = await api.database.db
    .insert(assets)
    .values([
      { projectId: id, name: "a" },
      { projectId: id, name: "b" },
    ])
    .returning();
  const ids = rows.map((r) => r.id);
  const [board] = await api.database.db
    .insert(storyboards)
    .values({ projectId: id, position: 0, frameAssetIds: ids })
    .returning();
  return { projectId: id, assetIds: ids as [number, number], storyboardId: board?.id ?? 0 };
}

describe("assets", () => {
  it("sets an asset's image url", async () => {
    const { projectId, assetIds } = await projectWithAssets();
    const res = await api.call("PUT", `/api/v1/assets/${assetIds[0]}/image`, {
      image_url: "https://cdn.example.com/cat.png",
    });
    expect(res).toMatchObject({ status: 200, body: { message: "素材图片更新成功" } });
    const full = await api.call("GET", `/api/v1/projects/${projectId}`);
    expect(full.body.assets[0].original_url).toBe("https://cdn.example.com/cat.png");
  });

  it.each([
    [{ image_url: "not a url" }],
    [{ image_url: "ftp://example.com/a.png" }],
    [{ image_url: "javascript:alert(1)" }],
    [{ image_url: `https://example.com/${"a".repeat(2100)}` }],
    [{}],
  ])("rejects %j with 422", async (body) => {
    const { assetIds } = await projectWithAssets();
    const res = await api.call("PUT", `/api/v1/assets/${assetIds[0]}/image`, body);
    expect(res.status).toBe(422);
    expect(res.body.errors[0].loc).toEqual(["body", "image_url"]);
  });

  it("deletes an asset and removes it from storyboards atomically", async () => {
    const { assetIds, storyboardId } = await projectWithAssets();
    const res = await api.call("DELETE", `/api/v1/assets/${assetIds[0]}`);
    expect(res).toMatchObject({ status: 200, body: { message: `素材 ${assetIds[0]} 删除成功` } });
    const [board] = await api.database.db
      .select()
      .from(storyboards)
      .where(eq(storyboards.id, storyboardId));
    expect(board?.frameAssetIds).toEqual([assetIds[1]]);
    expect((await api.call("DELETE", `/api/v1/assets/${assetIds[0]}`)).body).toMatchObject({
      code: "not_found",
      detail: `素材 ${assetIds[0]} 不存在`,
    });
  });

  it("treats assets of a soft-deleted project as gone, and leaves its storyboards alone", async () => {
    const { projectId, assetIds, storyboardId } = await projectWithAssets();
    await api.call("DELETE", `/api/v1/projects/${projectId}`);
    expect((await api.call("DELETE", `/api/v1/assets/${assetIds[0]}`)).status).toBe(404);
    const put = await api.call("PUT", `/api/v1/assets/${assetIds[1]}/image`, {
      image_url: "https://example.com/x.png",
    });
    expect(put.status).toBe(404);
    const [board] = await api.database.db
      .select()
      .from(storyboards)
      .where(eq(storyboards.id, storyboardId));
    expect(board?.frameAssetIds).toEqual(assetIds);
  });

  it("404s unknown assets before looking at the URL, and 422s bad ids", async () => {
    lookups.length = 0;
    const { assetIds } = await projectWithAssets();
    await api.call("DELETE", `/api/v1/assets/${assetIds[0]}`);
    const gone = await api.call("PUT", `/api/v1/assets/${assetIds[0]}/image`, {
      image_url: "https://intranet.example.com/a.png",
    });
    expect(gone.status).toBe(404);
    expect(lookups).toEqual([]); // no DNS for a resource the caller cannot see
    expect((await api.call("DELETE", "/api/v1/assets/99999")).status).toBe(404);
    expect(
      (await api.call("PUT", "/api/v1/assets/99999/image", { image_url: "https://e.com/a.png" }))
        .status,
    ).toBe(404);
    expect((await api.call("DELETE", "/api/v1/assets/0")).status).toBe(422);
  });
});

describe("URLs are checked when submitted", () => {
  afterEach(() => {
    delete process.env.ALLOW_PRIVATE_URLS;
    delete process.env.PUBLIC_BASE_URL;
    resetConfig();
  });

  async function put(imageUrl: string) {
    const { assetIds } = await projectWithAssets();
    const id = assetIds[0];
    const res = await api.call("PUT", `/api/v1/assets/${id}/image`, { image_url: imageUrl });
    const [row] = await api.database.db.select().from(assets).where(eq(assets.id, id));
    return { res, stored: row?.originalUrl ?? null };
  }

  it.each([
    ["http://127.0.0.1/x.png", "url_not_allowed"],
    ["http://localhost:8080/x.png", "url_not_allowed"],
    ["http://[::1]/x.png", "url_not_allowed"],
    ["http://10.0.0.8/x.png", "url_not_allowed"],
    ["http://172.20.1.1/x.png", "url_not_allowed"],
    ["http://192.168.1.20/x.png", "url_not_allowed"],
    ["http://169.254.169.254/latest/meta-data/iam", "url_not_allowed"],
    ["http://[fd00:ec2::254]/latest/meta-data", "url_not_allowed"],
    ["http://metadata.google.internal/computeMetadata/v1/", "url_not_allowed"],
    ["http://[fe80::1]/x.png", "url_not_allowed"],
    ["http://[::ffff:10.0.0.1]/x.png", "url_not_allowed"],
    ["http://0x7f.1/x.png", "url_not_allowed"],
    ["http://2130706433/x.png", "url_not_allowed"],
    ["https://intranet.example.com/x.png", "url_not_allowed"], // a name resolving to 10.1.2.3
    ["https://rebind.example.com/x.png", "url_not_allowed"], // one answer of two is loopback
    ["https://metadata-alias.example.com/x.png", "url_not_allowed"],
    ["http://user:pass@cdn.example.com/x.png", "invalid_url"],
    ["https://user@cdn.example.com/x.png", "invalid_url"],
    ["https://nonexistent.invalid/x.png", "url_unresolvable"],
    ["https://no-such-host.example.com/x.png", "url_unresolvable"],
  ])("refuses %s with 422 %s and stores nothing", async (url, code) => {
    const { res, stored } = await put(url);
    expect(res).toMatchObject({ status: 422, body: { code } });
    expect(res.body.detail).toEqual(expect.any(String));
    expect(res.body.errors[0].loc).toEqual(["body", "image_url"]);
    expect(stored).toBeNull();
  });

  it.each([
    ["https://cdn.example.com/cat.png"],
    ["https://photos.example.com/a/b.webp?size=large"],
    ["https://93.184.215.14/cat.png"],
    ["http://[2606:4700::1111]/cat.png"],
  ])("accepts the public URL %s", async (url) => {
    const { res, stored } = await put(url);
    expect(res.status).toBe(200);
    expect(stored).toBe(url);
  });

  it("accepts this deployment's own files, which live on loopback locally", async () => {
    const own = localFileUrl("uploads/local/sketch.png");
    expect(own).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\//);
    expect(await put(own)).toMatchObject({ res: { status: 200 }, stored: own });
    process.env.PUBLIC_BASE_URL = "http://192.168.1.5:3000";
    resetConfig();
    const lan = "http://192.168.1.5:3000/files/uploads/local/a.png";
    expect(await put(lan)).toMatchObject({ res: { status: 200 }, stored: lan });
    // The files prefix is not a way around the rules: a key leaving the files dir is refused.
    const { res } = await put("http://192.168.1.5:3000/files/uploads/%2e%2e/%2e%2e/etc/passwd");
    expect(res).toMatchObject({ status: 422, body: { code: "invalid_key" } });
    // Another port on the same host is not our storage.
    expect((await put("http://192.168.1.5:3001/files/a.png")).res.body.code).toBe(
      "url_not_allowed",
    );
  });

  it("accepts the Qiniu domain when Qiniu is the storage", async () => {
    Object.assign(process.env, {
      QINIU_ACCESS_KEY: "ak",
      QINIU_SECRET_KEY: "sk",
      QINIU_BUCKET_NAME: "b",
      QINIU_DOMAIN: "files.studio.internal",
    });
    resetConfig();
    try {
      const url = "https://files.studio.internal/uploads/local/a.png";
      expect(await put(url)).toMatchObject({ res: { status: 200 }, stored: url });
    } finally {
      for (const k of ["QINIU_ACCESS_KEY", "QINIU_SECRET_KEY", "QINIU_BUCKET_NAME", "QINIU_DOMAIN"])
        process.env[k] = "";
    }
  });

  it("lets private addresses through with ALLOW_PRIVATE_URLS, but never other schemes or credentials", async () => {
    process.env.ALLOW_PRIVATE_URLS = "true";
    resetConfig();
    for (const url of ["http://10.0.0.8/x.png", "https://intranet.example.com/x.png"]) {
      expect(await put(url)).toMatchObject({ res: { status: 200 }, stored: url });
    }
    expect((await put("http://user:pass@10.0.0.8/x.png")).res.body.code).toBe("invalid_url");
    expect((await put("https://nonexistent.invalid/x.png")).res.body.code).toBe("url_unresolvable");
  });
});
