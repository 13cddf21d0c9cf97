/**
 * Generates the sample appearance images committed under ../assets:
 *   signature-blue.png — a blue, handwritten-looking signature on a transparent background;
 *   seal-red.png       — a red round seal with Vietnamese text around the ring and a star.
 * Run: npx tsx packages/pdfsign/scripts/make-sample-images.ts
 * They are samples for tests and demos only: a real body uses a scan of its own seal.
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createCanvas, GlobalFonts, type SKRSContext2D } from "@napi-rs/canvas";

const assets = join(dirname(fileURLToPath(import.meta.url)), "..", "assets");
const FONT_DIR = "/usr/share/fonts/truetype/liberation2";
GlobalFonts.registerFromPath(join(FONT_DIR, "LiberationSerif-Bold.ttf"), "Seal Serif Bold");

/** Deterministic pseudo-random numbers, so the committed images are reproducible. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function signature(): Buffer {
  const width = 600;
  const height = 240;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext("2d");
  const rnd = random(7);
  ctx.strokeStyle = "rgb(20, 40, 170)";
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  // A looping stroke like a cursive signature: many short cubic segments whose width varies
  // with speed, as a pen's does.
  const points: Array<[number, number]> = [];
  const wobble = rnd() * 0.3;
  for (let i = 0; i <= 400; i++) {
    const t = i / 400;
    const x = 60 + t * 440 + Math.sin(t * 26 + wobble) * 34;
    const y = 125 - Math.sin(t * 7) * 40 * (1 - t * 0.5) + Math.cos(t * 26 + wobble) * 42 * (1 - t * 0.3);
    points.push([x, y]);
  }
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1]!;
    const [x1, y1] = points[i]!;
    ctx.lineWidth = 2.5 + 3 * Math.abs(Math.sin(i / 40));
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1, y1);
    ctx.stroke();
  }
  // The underline flourish.
  ctx.lineWidth = 4;
  ctx.beginPath();
  ctx.moveTo(90, 200);
  ctx.bezierCurveTo(220, 170, 380, 215, 540, 160);
  ctx.stroke();
  return canvas.toBuffer("image/png");
}

function arcText(
  ctx: SKRSContext2D,
  text: string,
  cx: number,
  cy: number,
  radius: number,
  startDeg: number,
  spanDeg: number,
) {
  const chars = [...text];
  const step = (spanDeg / chars.length) * (Math.PI / 180);
  let angle = (startDeg * Math.PI) / 180 - (step * (chars.length - 1)) / 2;
  for (const ch of chars) {
    ctx.save();
    ctx.translate(cx + radius * Math.sin(angle), cy - radius * Math.cos(angle));
    ctx.rotate(angle);
    ctx.fillText(ch, 0, 0);
    ctx.restore();
    angle += step;
  }
}

function star(ctx: SKRSContext2D, cx: number, cy: number, outer: number, inner: number) {
  ctx.beginPath();
  for (let i = 0; i < 10; i++) {
    const r = i % 2 === 0 ? outer : inner;
    const a = (Math.PI / 5) * i - Math.PI / 2;
    ctx.lineTo(cx + r * Math.cos(a), cy + r * Math.sin(a));
  }
  ctx.closePath();
  ctx.fill();
}

function seal(): Buffer {
  const size = 480; // ≈ 36 mm at 340 dpi
  const c = size / 2;
  const canvas = createCanvas(size, size);
  const ctx = canvas.getContext("2d");
  const red = "rgba(215, 25, 32, 0.92)";
  ctx.strokeStyle = red;
  ctx.fillStyle = red;
  ctx.lineWidth = 12;
  ctx.beginPath();
  ctx.arc(c, c, c - 10, 0, Math.PI * 2);
  ctx.stroke();
  ctx.lineWidth = 4;
  ctx.beginPath();
  ctx.arc(c, c, c - 92, 0, Math.PI * 2);
  ctx.stroke();
  ctx.font = "38px 'Seal Serif Bold'";
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  arcText(ctx, "ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM", c, c, c - 52, 0, 290);
  star(ctx, c, c - 8, 40, 16);
  ctx.font = "26px 'Seal Serif Bold'";
  ctx.fillText("T. THỬ NGHIỆM", c, c + 58);
  return canvas.toBuffer("image/png");
}

writeFileSync(join(assets, "signature-blue.png"), signature());
writeFileSync(join(assets, "seal-red.png"), seal());
console.log(`wrote ${assets}/signature-blue.png and seal-red.png`);
