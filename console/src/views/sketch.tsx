import { useEffect, useRef, useState } from "preact/hooks";

/** The canvas's own pixel size follows the project's aspect ratio, so a guide matches the frame. */
const SIZES: Record<string, [number, number]> = {
  "16:9": [640, 360],
  "9:16": [360, 640],
  "1:1": [480, 480],
};

export interface SketchPadProps {
  aspectRatio: string;
  /** Shown in labels, so several pads on one page stay distinguishable. */
  shotLabel: string;
  /** The frame to draw over, when the user starts from it. */
  frameUrl: string | null;
  busy: boolean;
  onSend: (png: Blob) => void;
  onError: (message: string) => void;
}

/**
 * A drawing surface for a guide sketch. Pointer events cover mouse, touch and pen alike; the
 * pointer is captured while drawing so a stroke that leaves the canvas still ends cleanly, and
 * `touch-action: none` (film.css) keeps a finger from scrolling the page instead of drawing.
 */
export function SketchPad(props: SketchPadProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const last = useRef<{ x: number; y: number } | null>(null);
  const [color, setColor] = useState("#1d3557");
  const [marks, setMarks] = useState(0);
  const [width, height] = SIZES[props.aspectRatio] ?? [640, 360];

  const context = () => canvas.current?.getContext("2d") ?? null;

  const clear = () => {
    const ctx = context();
    if (!ctx) return;
    // White, not transparent: providers read a guide as a picture, and transparency reads black.
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, width, height);
    setMarks(0);
  };
  useEffect(clear, [width, height]);

  const pointAt = (event: PointerEvent) => {
    const box = (canvas.current as HTMLCanvasElement).getBoundingClientRect();
    return {
      x: ((event.clientX - box.left) / box.width) * width,
      y: ((event.clientY - box.top) / box.height) * height,
    };
  };

  const stroke = (from: { x: number; y: number }, to: { x: number; y: number }, p: number) => {
    const ctx = context();
    if (!ctx) return;
    ctx.strokeStyle = color;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    // Pen pressure widens the line; a mouse reports 0.5 while pressed.
    ctx.lineWidth = 2 + 6 * (p || 0.5);
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
  };

  const down = (event: PointerEvent) => {
    if (event.button !== 0) return;
    (event.currentTarget as HTMLCanvasElement).setPointerCapture(event.pointerId);
    const point = pointAt(event);
    last.current = point;
    stroke(point, { x: point.x + 0.1, y: point.y + 0.1 }, event.pressure);
    event.preventDefault();
  };
  const move = (event: PointerEvent) => {
    if (!last.current) return;
    // Coalesced events keep fast strokes smooth instead of a few straight segments.
    const points = event.getCoalescedEvents?.() ?? [event];
    for (const e of points.length ? points : [event]) {
      const point = pointAt(e);
      stroke(last.current, point, e.pressure);
      last.current = point;
    }
  };
  const up = () => {
    if (last.current) setMarks((n) => n + 1);
    last.current = null;
  };

  const startFromFrame = () => {
    if (!props.frameUrl) return;
    const image = new Image();
    // Without CORS the canvas would be tainted and could not be exported as a PNG.
    image.crossOrigin = "anonymous";
    image.onload = () => {
      context()?.drawImage(image, 0, 0, width, height);
      setMarks((n) => n + 1);
    };
    image.onerror = () => props.onError("The current frame could not be loaded onto the canvas.");
    image.src = props.frameUrl;
  };

  const send = () => {
    const element = canvas.current;
    if (!element) return;
    try {
      element.toBlob((blob) => {
        if (blob) props.onSend(blob);
        else props.onError("The sketch could not be turned into an image.");
      }, "image/png");
    } catch (error) {
      props.onError(`The sketch could not be exported (${String(error)}).`);
    }
  };

  return (
    <div class="sketch">
      <canvas
        ref={canvas}
        width={width}
        height={height}
        aria-label="Sketch canvas"
        aria-describedby={`${props.shotLabel}-sketch-help`}
        class="sketch-canvas"
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={up}
        onPointerCancel={up}
      />
      <p id={`${props.shotLabel}-sketch-help`} class="film-hint">
        Draw with a mouse, finger or pen: rough shapes and where things go. The sketch guides a new
        version of this frame.
      </p>
      <div class="film-row">
        <label>
          Pen colour{" "}
          <input type="color" value={color} onInput={(e) => setColor(e.currentTarget.value)} />
        </label>
        <button type="button" onClick={clear} disabled={props.busy}>
          Clear sketch
        </button>
        <button type="button" onClick={startFromFrame} disabled={props.busy || !props.frameUrl}>
          Start from current frame
        </button>
        <button type="button" class="primary" onClick={send} disabled={props.busy || marks === 0}>
          Send sketch as guide
        </button>
      </div>
    </div>
  );
}
