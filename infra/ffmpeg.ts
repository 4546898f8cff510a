import { createRequire } from "node:module";

/**
 * ffmpeg + ffprobe for the worker, at /opt/bin. Built from the pinned static x86_64 builds the npm
 * installer packages ship (deploy from linux-x64, or set FFMPEG_LAYER_ARN to an existing layer).
 */
function buildLayer() {
  const require = createRequire(import.meta.url);
  const binary = (pkg: string) => (require(pkg) as { path: string }).path;
  return new aws.lambda.LayerVersion("Ffmpeg", {
    layerName: `${$app.name}-${$app.stage}-ffmpeg`,
    compatibleArchitectures: ["x86_64"],
    compatibleRuntimes: ["nodejs24.x"],
    code: new $util.asset.AssetArchive({
      "bin/ffmpeg": new $util.asset.FileAsset(binary("@ffmpeg-installer/ffmpeg")),
      "bin/ffprobe": new $util.asset.FileAsset(binary("@ffprobe-installer/ffprobe")),
    }),
  }).arn;
}

export const ffmpegLayer = process.env.FFMPEG_LAYER_ARN ?? buildLayer();
