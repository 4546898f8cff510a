/**
 * Pixel size of a video frame: the resolution names the short edge, as Veo's do (720p is
 * 1280x720 at 16:9 and 720x1280 at 9:16); sides are even, as H.264 in yuv420p needs.
 */
export function videoFrameSize(
  aspectRatio: string,
  resolution: string,
): { width: number; height: number } {
  const short = Number.parseInt(resolution, 10) || 720;
  const [w = 16, h = 9] = aspectRatio.split(":").map(Number);
  const even = (n: number) => Math.round(n / 2) * 2;
  return w >= h
    ? { width: even((short * w) / h), height: short }
    : { width: short, height: even((short * h) / w) };
}
