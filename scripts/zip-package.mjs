// Zips a published custom handler into the package the Functions host expects, with Node alone (a fresh machine has
// the .NET SDK and Node.js, nothing else). Checks that the executable named in host.json and every function.json are in
// the publish output, leaves symbols, XML docs and build leftovers out, marks the executable (and anything already
// executable) 0755, and writes a fixed timestamp so the same input gives the same zip.
//
//   node scripts/zip-package.mjs <publish-dir> <zip-path> <repo-root>
import { readFileSync, readdirSync, statSync, existsSync, openSync, writeSync, closeSync, renameSync } from "node:fs";
import { join, relative, sep } from "node:path";
import * as zlib from "node:zlib";

// zlib.crc32 arrived in Node 20.15 / 22.2; older Node gets the table-driven CRC-32 (IEEE) below.
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 =
  zlib.crc32 ??
  ((data) => {
    let c = 0xffffffff;
    for (const byte of data) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  });

const [publish, zipPath, root] = process.argv.slice(2);
if (!publish || !zipPath || !root) {
  console.error("usage: node scripts/zip-package.mjs <publish-dir> <zip-path> <repo-root>");
  process.exit(2);
}

const host = JSON.parse(readFileSync(join(root, "host.json"), "utf8"));
const exe = host.customHandler.description.defaultExecutablePath;
if (!existsSync(join(publish, exe))) {
  console.error(`host.json names the executable '${exe}' but the publish output has no such file`);
  process.exit(1);
}

const skipSuffixes = [".pdb", ".dbg", ".xml", ".staticwebassets.endpoints.json"];
const functions = readdirSync(join(root, "functions"))
  .filter((d) => existsSync(join(root, "functions", d, "function.json")))
  .sort();

const entries = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    const info = statSync(full);
    if (info.isDirectory()) {
      walk(full);
    } else {
      const rel = relative(publish, full).split(sep).join("/");
      if (!skipSuffixes.some((s) => rel.endsWith(s))) {
        entries.push({ rel, full, executable: rel === exe || (info.mode & 0o100) !== 0 });
      }
    }
  }
})(publish);
entries.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));

const names = new Set(entries.map((e) => e.rel));
const missing = ["host.json", exe, ...functions.map((f) => `${f}/function.json`)].filter((n) => !names.has(n));
if (missing.length > 0) {
  console.error(`the publish output lacks ${missing.join(", ")}`);
  process.exit(1);
}

// ZIP: a local header + deflated data per file, then the central directory and its end record. DOS time 2020-01-01 00:00.
const dosTime = 0;
const dosDate = ((2020 - 1980) << 9) | (1 << 5) | 1;
const tmp = `${zipPath}.tmp`;
const fd = openSync(tmp, "w");
let offset = 0;
const write = (buffer) => {
  writeSync(fd, buffer);
  offset += buffer.length;
};
const central = [];
for (const entry of entries) {
  const data = readFileSync(entry.full);
  const packed = zlib.deflateRawSync(data, { level: 9 });
  const crc = crc32(data);
  const name = Buffer.from(entry.rel, "utf8");
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt16LE(0x0800, 6); // UTF-8 names
  local.writeUInt16LE(8, 8); // deflate
  local.writeUInt16LE(dosTime, 10);
  local.writeUInt16LE(dosDate, 12);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(packed.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(name.length, 26);
  local.writeUInt16LE(0, 28);
  const headerOffset = offset;
  write(local);
  write(name);
  write(packed);

  const record = Buffer.alloc(46);
  record.writeUInt32LE(0x02014b50, 0);
  record.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the mode bits below are honoured on extraction
  record.writeUInt16LE(20, 6);
  record.writeUInt16LE(0x0800, 8);
  record.writeUInt16LE(8, 10);
  record.writeUInt16LE(dosTime, 12);
  record.writeUInt16LE(dosDate, 14);
  record.writeUInt32LE(crc, 16);
  record.writeUInt32LE(packed.length, 20);
  record.writeUInt32LE(data.length, 24);
  record.writeUInt16LE(name.length, 28);
  record.writeUInt32LE(((0o100000 | (entry.executable ? 0o755 : 0o644)) << 16) >>> 0, 38); // regular file + mode
  record.writeUInt32LE(headerOffset, 42);
  central.push(record, name);
}
const centralStart = offset;
for (const part of central) {
  write(part);
}
const end = Buffer.alloc(22);
end.writeUInt32LE(0x06054b50, 0);
end.writeUInt16LE(entries.length, 8);
end.writeUInt16LE(entries.length, 10);
end.writeUInt32LE(offset - centralStart, 12);
end.writeUInt32LE(centralStart, 16);
write(end);
closeSync(fd);
renameSync(tmp, zipPath);

const mib = (statSync(zipPath).size / 1048576).toFixed(1);
console.log(`package ${zipPath}: ${entries.length} files, ${mib} MiB (executable '${exe}', functions: ${functions.join(", ")})`);
