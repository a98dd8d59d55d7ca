// Zips a published isolated-worker app into the package the Functions host expects, with Node alone (a fresh machine has
// the .NET SDK and Node.js, nothing else). Everything sits at the root as `dotnet publish` laid it out: host.json,
// functions.metadata, worker.config.json, extensions.json, the `.azurefunctions/` folder (the host-side extensions the
// Worker SDK generated, kept although it starts with a dot) and the app's assemblies. Checks those are there, leaves
// symbols, XML docs and local.settings.json out, keeps each file's execute bit (0755, else 0644), and writes a fixed
// timestamp so the same input gives the same zip.
//
//   node scripts/zip-package.mjs <publish-dir> <zip-path>
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

const [publish, zipPath] = process.argv.slice(2);
if (!publish || !zipPath) {
  console.error("usage: node scripts/zip-package.mjs <publish-dir> <zip-path>");
  process.exit(2);
}

const fail = (message) => {
  console.error(message);
  process.exit(1);
};
const readJson = (name) => {
  const path = join(publish, name);
  if (!existsSync(path)) fail(`the publish output has no ${name}: is this an isolated-worker app built with Microsoft.Azure.Functions.Worker.Sdk?`);
  return JSON.parse(readFileSync(path, "utf8"));
};

// What the Functions host reads: the worker it starts, and the functions it indexes without starting it.
const workerPath = readJson("worker.config.json").description.defaultWorkerPath;
const functions = readJson("functions.metadata").map((f) => f.name).sort();
readJson("host.json");
readJson("extensions.json");
if (!existsSync(join(publish, workerPath))) fail(`worker.config.json names '${workerPath}' but the publish output has no such file`);
if (!existsSync(join(publish, ".azurefunctions"))) fail("the publish output has no .azurefunctions/ (the host-side extensions)");

// local.settings.json is for Core Tools on a developer's machine; in Azure the settings are app settings.
const skipNames = ["local.settings.json"];
const skipSuffixes = [".pdb", ".dbg", ".xml"];

const entries = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    const info = statSync(full);
    if (info.isDirectory()) {
      walk(full);
    } else {
      const rel = relative(publish, full).split(sep).join("/");
      if (!skipNames.includes(name) && !skipSuffixes.some((s) => rel.endsWith(s))) {
        entries.push({ rel, full, executable: (info.mode & 0o100) !== 0 });
      }
    }
  }
})(publish);
entries.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));

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
console.log(`package ${zipPath}: ${entries.length} files, ${mib} MiB (worker ${workerPath}; functions: ${functions.join(", ")})`);
