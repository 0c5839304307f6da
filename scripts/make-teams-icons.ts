/**
 * Draws the Teams app icons into manifest/teams/: color.png (192x192, a white ringed
 * check mark on the accent colour) and outline.png (32x32, the same mark in white on
 * a transparent background, as Teams requires). Deterministic: re-running it gives the
 * same bytes. Run: node --import tsx scripts/make-teams-icons.ts
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

/** The manifest's accentColor. */
export const ACCENT = { r: 0x4f, g: 0x46, b: 0xe5 };

type Point = [number, number];

function distToSegment(p: Point, a: Point, b: Point): number {
  const [px, py] = p;
  const [ax, ay] = a;
  const [bx, by] = b;
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** True where the mark (a ring with a check mark inside) covers unit-square coordinates (0..1). */
function inMark(x: number, y: number, stroke: number): boolean {
  const r = Math.hypot(x - 0.5, y - 0.5);
  const ring = Math.abs(r - 0.36) <= stroke / 2;
  const check = Math.min(distToSegment([x, y], [0.33, 0.52], [0.45, 0.64]), distToSegment([x, y], [0.45, 0.64], [0.68, 0.38])) <= stroke / 2;
  return ring || check;
}

/** Renders the mark at `size` pixels with 4x4 supersampling; `background` fills the square when given. */
export function drawIcon(size: number, options: { background?: { r: number; g: number; b: number }; stroke: number }): PNG {
  const png = new PNG({ width: size, height: size, colorType: 6 });
  const n = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let covered = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          if (inMark((px + (sx + 0.5) / n) / size, (py + (sy + 0.5) / n) / size, options.stroke)) covered++;
        }
      }
      const a = covered / (n * n);
      const i = (py * size + px) * 4;
      if (options.background) {
        const bg = options.background;
        png.data[i] = Math.round(bg.r + (255 - bg.r) * a);
        png.data[i + 1] = Math.round(bg.g + (255 - bg.g) * a);
        png.data[i + 2] = Math.round(bg.b + (255 - bg.b) * a);
        png.data[i + 3] = 255;
      } else {
        png.data[i] = 255;
        png.data[i + 1] = 255;
        png.data[i + 2] = 255;
        png.data[i + 3] = Math.round(255 * a);
      }
    }
  }
  return png;
}

function main(): void {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'manifest', 'teams');
  writeFileSync(join(dir, 'color.png'), PNG.sync.write(drawIcon(192, { background: ACCENT, stroke: 0.075 })));
  writeFileSync(join(dir, 'outline.png'), PNG.sync.write(drawIcon(32, { stroke: 0.1 })));
  console.log(`wrote ${join(dir, 'color.png')} and ${join(dir, 'outline.png')}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
