// The Node half of scripts/demo-check.sh (a fresh machine has the .NET SDK and Node.js, not necessarily curl):
//
//   node scripts/demo-check.mjs ports <n>                 n distinct free loopback ports, one a line
//   node scripts/demo-check.mjs curl [-s] [-X M] [-d D] URL
//                                                         the banner's curl commands: prints the body as curl -s does,
//                                                         exits 22 on an HTTP status >= 400 (as curl -f), and appends
//                                                         {method, url, status, body} to the file $DEMO_HTTP_LOG
//   node scripts/demo-check.mjs queues <settings.json>    every queue of the run's storage account and its approximate
//                                                         message count (Azurite counts invisible messages too)
//   node scripts/demo-check.mjs expect <sim-url> <http-log> <transcript> <app-log>
//                                                         the demo's effects: prints "ok: …" or "missing: …" for each,
//                                                         exits 1 when one is missing
import { createHmac } from "node:crypto";
import { appendFileSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

const [command, ...args] = process.argv.slice(2);
const commands = { ports, curl, queues, expect };
if (!commands[command]) {
  console.error("usage: node scripts/demo-check.mjs ports|curl|queues|expect …");
  process.exit(2);
}
try {
  process.exitCode = await commands[command](args);
} catch (error) {
  console.error(`demo-check.mjs ${command}: ${error.cause?.code ?? error.message}`);
  process.exitCode = 1;
}

// All listeners are held open until every port is known, so the n ports differ.
async function ports([count]) {
  const servers = [];
  for (let i = 0; i < Number(count); i++) {
    const server = createServer();
    await new Promise((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
    servers.push(server);
  }
  console.log(servers.map((s) => s.address().port).join("\n"));
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return 0;
}

// Only the options the banner uses: an unknown one stops the check rather than sending something else than curl would.
async function curl(argv) {
  let method, body, url;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-s") continue;
    else if (arg === "-X") method = argv[++i];
    else if (arg === "-d") body = argv[++i];
    else if (!arg.startsWith("-") && url === undefined) url = arg;
    else {
      console.error(`demo-check's curl stand-in does not know ${arg}: teach scripts/demo-check.mjs what it does`);
      return 2;
    }
  }
  if (!url) {
    console.error("demo-check's curl stand-in: no URL");
    return 2;
  }
  method ??= body === undefined ? "GET" : "POST";
  // curl -d sends the bytes as a form unless told otherwise; the same content type keeps the request the same.
  const headers = body === undefined ? {} : { "content-type": "application/x-www-form-urlencoded" };
  let response;
  try {
    response = await fetch(url, { method, body, headers });
  } catch (error) {
    console.error(`demo-check's curl stand-in: ${method} ${url} failed: ${error.cause?.code ?? error.message}`);
    return 7;
  }
  const text = await response.text();
  process.stdout.write(text + (text.endsWith("\n") ? "" : "\n"));
  if (process.env.DEMO_HTTP_LOG) {
    appendFileSync(process.env.DEMO_HTTP_LOG, JSON.stringify({ method, url, status: response.status, body: text }) + "\n");
  }
  return response.status >= 400 ? 22 : 0;
}

// Azurite takes only signed requests: Shared Key over the account key of the run's connection string (the well-known
// Azurite key that run.sh writes to cli.settings.json), path-style URLs, so the account appears twice in the resource.
async function queues([settingsPath]) {
  const connection = JSON.parse(readFileSync(settingsPath, "utf8")).Values.AzureWebJobsStorage;
  const parts = Object.fromEntries(
    connection.split(";").filter(Boolean).map((part) => [part.slice(0, part.indexOf("=")), part.slice(part.indexOf("=") + 1)]),
  );
  const account = parts.AccountName;
  const key = Buffer.from(parts.AccountKey, "base64");
  const endpoint = parts.QueueEndpoint.replace(/\/$/, "");
  const get = async (path, query) => {
    const url = new URL(`${endpoint}${path}?${new URLSearchParams(query)}`);
    const date = new Date().toUTCString();
    const version = "2021-12-02";
    const resource = `/${account}${url.pathname}` + Object.keys(query).sort().map((k) => `\n${k}:${query[k]}`).join("");
    const toSign = ["GET", "", "", "", "", "", "", "", "", "", "", "", `x-ms-date:${date}\nx-ms-version:${version}\n${resource}`].join("\n");
    const signature = createHmac("sha256", key).update(toSign, "utf8").digest("base64");
    const headers = { "x-ms-date": date, "x-ms-version": version, authorization: `SharedKey ${account}:${signature}` };
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
    return response;
  };
  try {
    const list = await (await get("", { comp: "list" })).text();
    for (const [, name] of list.matchAll(/<Name>([^<]+)<\/Name>/g)) {
      const metadata = await get(`/${name}`, { comp: "metadata" });
      console.log(`${name} ${metadata.headers.get("x-ms-approximate-messages-count")}`);
    }
    return 0;
  } catch (error) {
    console.error(`demo-check: the queues could not be read: ${error.cause?.code ?? error.message}`);
    return 1;
  }
}

// What the banner says each command does, checked where it shows: the simulator's request logs, the answers of the
// banner's HTTP calls, the CLI's output and the app log.
async function expect([simulator, httpLogPath, transcriptPath, appLogPath]) {
  const get = async (path) => (await fetch(`${simulator}${path}`, { signal: AbortSignal.timeout(10_000) })).json();
  const requests = await get("/admin/requests");
  const inquiries = await get("/admin/v3/requests");
  const calls = readFileSync(httpLogPath, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line));
  const transcript = readFileSync(transcriptPath, "utf8");
  const appLog = readFileSync(appLogPath, "utf8");
  const json = (text) => {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  };
  const count = (pattern) => appLog.match(new RegExp(pattern, "gm"))?.length ?? 0;

  const captures = requests.filter((r) => r.method === "POST" && r.path === "/v1/1234/payments/pay-demo-1/capture");
  const tokensCall = calls.find((c) => c.method === "GET" && new URL(c.url).pathname === "/api/customers/customer-1/tokens");
  const tokens = json(tokensCall?.body ?? "");
  const tokenIds = Array.isArray(tokens) ? tokens.map((t) => t.tokenId).filter(Boolean) : [];
  const sessionCall = calls.find((c) => c.method === "POST" && new URL(c.url).pathname === "/api/sessions");
  const session = json(sessionCall?.body ?? "");
  const v3Inquiries = inquiries.filter((r) => r.reference === "order-demo-1");

  const checks = [
    [`the simulator served one capture of pay-demo-1 (it served ${captures.length}, answered ${captures.map((c) => c.responseStatus).join(", ") || "-"})`,
      captures.length === 1 && captures[0].responseStatus === 200],
    [`the app logged "capture for event evt-demo-1" once (${count("^ +capture for event evt-demo-1 ")} times)`,
      count("^ +capture for event evt-demo-1 ") === 1],
    [`the second delivery logged "Event evt-demo-1 skipped: AlreadyCompleted" (${count("^ +Event evt-demo-1 skipped: AlreadyCompleted$")} times)`,
      count("^ +Event evt-demo-1 skipped: AlreadyCompleted$") >= 1],
    [`the app logged "tokenize for event … payment pay-demo-2" once (${count("^ +tokenize for event \\S+ payment pay-demo-2:")} times)`,
      count("^ +tokenize for event \\S+ payment pay-demo-2:") === 1],
    [`GET /api/customers/customer-1/tokens answered ${tokensCall?.status ?? "nothing"} listing ${tokenIds.length} token(s)`,
      tokensCall?.status === 200 && tokenIds.length >= 1],
    [`POST /api/sessions answered ${sessionCall?.status ?? "nothing"} offering ${JSON.stringify(session?.tokens ?? null)}`,
      sessionCall?.status === 200 && typeof session?.clientSessionId === "string" && tokenIds.every((t) => session.tokens?.includes(t))],
    ["status evt-demo-1 shows state Completed, outcome captured",
      /^ +state +Completed$/m.test(transcript) && /^ +outcome +captured$/m.test(transcript)],
    [`the v3 payment order-demo-1 was inquired once (${v3Inquiries.length} inquiries, answered ${v3Inquiries.map((r) => r.responseStatus).join(", ") || "-"})`,
      v3Inquiries.length === 1 && v3Inquiries[0].responseStatus === 200],
    [`the app logged "v3 payment v3:1234:order-demo-1 verified by inquiry" once (${count("^ +v3 payment v3:1234:order-demo-1 verified by inquiry:")} times)`,
      count("^ +v3 payment v3:1234:order-demo-1 verified by inquiry:") === 1],
  ];
  for (const [what, ok] of checks) console.log(`${ok ? "ok" : "missing"}: ${what}`);
  return checks.every(([, ok]) => ok) ? 0 : 1;
}
