// Draws the app icons in public/icons/ (the web app manifest's, the apple-touch-icon and the SVG
// favicon) and app/favicon.ico from one geometry: a white "K" on the brand colour. Node only, nothing downloaded: the
// PNGs are rasterised here (4×4 supersampling) and written with node:zlib.
//
//   node scripts/generate-icons.mjs
//
// The output is committed; run this again only when the geometry or the colour changes.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { crc32, deflateSync } from "node:zlib";

/** --color-brand-600 in app/globals.css. */
const BRAND = [0x1f, 0x57, 0xb8];
const WHITE = [0xff, 0xff, 0xff];

/** The "K" in a 100×100 box: its stem and two arms, as convex polygons. */
const GLYPH = [
  [
    [21, 24],
    [35, 24],
    [35, 76],
    [21, 76],
  ],
  [
    [35, 46],
    [54, 24],
    [72, 24],
    [35, 66],
  ],
  [
    [41, 57],
    [53, 45],
    [79, 76],
    [57, 76],
  ],
];

/** Corner radius of the rounded tile, in the same 100-unit box. */
const TILE_RADIUS = 22;

function isInsideConvex(polygon, x, y) {
  let sign = 0;
  for (let i = 0; i < polygon.length; i++) {
    const [ax, ay] = polygon[i];
    const [bx, by] = polygon[(i + 1) % polygon.length];
    const cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
    if (cross === 0) continue;
    const side = Math.sign(cross);
    if (sign === 0) sign = side;
    else if (side !== sign) return false;
  }
  return true;
}

function isInsideRoundedTile(x, y) {
  const cx = Math.min(Math.max(x, TILE_RADIUS), 100 - TILE_RADIUS);
  const cy = Math.min(Math.max(y, TILE_RADIUS), 100 - TILE_RADIUS);
  return (x - cx) ** 2 + (y - cy) ** 2 <= TILE_RADIUS ** 2;
}

/**
 * RGBA pixels of one icon. `rounded`: a tile with transparent corners (the "any" icons);
 * otherwise the colour fills the square (maskable and Apple icons are cut by the system).
 * `glyphScale`: how much of the icon's width the 100-unit glyph box takes.
 */
function render(size, { rounded, glyphScale }) {
  const samples = 4;
  const pixels = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let tile = 0;
      let glyph = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = ((px + (sx + 0.5) / samples) / size) * 100;
          const y = ((py + (sy + 0.5) / samples) / size) * 100;
          if (rounded && !isInsideRoundedTile(x, y)) continue;
          tile++;
          const gx = 50 + (x - 50) / glyphScale;
          const gy = 50 + (y - 50) / glyphScale;
          if (GLYPH.some((polygon) => isInsideConvex(polygon, gx, gy))) glyph++;
        }
      }
      const offset = (py * size + px) * 4;
      const share = tile === 0 ? 0 : glyph / tile;
      for (let c = 0; c < 3; c++) pixels[offset + c] = Math.round(BRAND[c] + (WHITE[c] - BRAND[c]) * share);
      pixels[offset + 3] = Math.round((tile / samples ** 2) * 255);
    }
  }
  return pixels;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** A PNG (8-bit RGBA, no interlace) of square RGBA pixels. */
function encodePng(size, pixels) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0; // filter: none
    pixels.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function svg() {
  const hex = (rgb) => `#${rgb.map((c) => c.toString(16).padStart(2, "0")).join("")}`;
  const polygons = GLYPH.map((polygon) => `<polygon points="${polygon.map((p) => p.join(",")).join(" ")}"/>`);
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">',
    "<title>Koppel</title>",
    `<rect width="100" height="100" rx="${TILE_RADIUS}" fill="${hex(BRAND)}"/>`,
    `<g fill="${hex(WHITE)}" transform="translate(50 50) scale(0.72) translate(-50 -50)">${polygons.join("")}</g>`,
    "</svg>",
    "",
  ].join("\n");
}

const ICONS = [
  { file: "icons/icon-192.png", size: 192, rounded: true, glyphScale: 0.72 },
  { file: "icons/icon-512.png", size: 512, rounded: true, glyphScale: 0.72 },
  // Maskable: the system may cut it to a circle; the glyph stays inside the central 80% safe zone.
  { file: "icons/icon-maskable-512.png", size: 512, rounded: false, glyphScale: 0.6 },
  // iOS rounds the corners itself and shows transparency as black.
  { file: "apple-touch-icon.png", size: 180, rounded: false, glyphScale: 0.68 },
];

/**
 * An ICO of PNG images (Vista's format, read by every current browser): what a browser asks for at
 * /favicon.ico on its own, before or without reading the page's <link rel="icon">.
 */
function encodeIco(sizes) {
  const images = sizes.map((size) => encodePng(size, render(size, { rounded: true, glyphScale: 0.72 })));
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(images.length, 4);
  let offset = 6 + 16 * images.length;
  const entries = images.map((image, index) => {
    const entry = Buffer.alloc(16);
    entry[0] = sizes[index] % 256; // width (0 = 256)
    entry[1] = sizes[index] % 256; // height
    entry.writeUInt16LE(1, 4); // colour planes
    entry.writeUInt16LE(32, 6); // bits per pixel
    entry.writeUInt32LE(image.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += image.length;
    return entry;
  });
  return Buffer.concat([header, ...entries, ...images]);
}

const publicDir = path.join(import.meta.dirname, "..", "public");
mkdirSync(path.join(publicDir, "icons"), { recursive: true });
for (const icon of ICONS) {
  writeFileSync(path.join(publicDir, icon.file), encodePng(icon.size, render(icon.size, icon)));
}
writeFileSync(path.join(publicDir, "icons", "icon.svg"), svg());
// Next.js serves app/favicon.ico at /favicon.ico and links it from every page.
writeFileSync(path.join(import.meta.dirname, "..", "app", "favicon.ico"), encodeIco([16, 32, 48]));
console.log(`wrote ${ICONS.length} PNG icons and icons/icon.svg to ${publicDir}, and app/favicon.ico`);
