#!/usr/bin/env node
// Calls a HubFunctions endpoint with a Standard Webhooks signature made with a client's secret
// from the local settings (API.md, "Authentication").
//
//   node scripts/hubcall.mjs [--client ID] [--base URL] [--settings FILE] [--id WEBHOOK_ID] [-i] [--curl]
//                            [--form NAME=VALUE | --form NAME=@FILE ...] METHOD PATH [BODY | @FILE]
//
// --client    client id from local.settings.json (default demo-seller)
// --base      base URL (default http://localhost:7071)
// --settings  local settings file (default functions/HubFunctions.Functions/local.settings.json,
//             else local.settings.sample.json)
// --id        webhook-id to send (default: a new random one); reuse it to see a replay
// -i          print the response status and headers too
// --accept    the Accept header, e.g. text/csv for an invoice as CSV
// --curl      print the equivalent signed curl command instead of calling
// --form      send multipart/form-data instead of JSON (repeatable): NAME=VALUE is a field,
//             NAME=@FILE a file part (e.g. the document upload: --form type=business-licence --form file=@licence.pdf)
import { createHmac, randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const opts = { client: "demo-seller", base: "http://localhost:7071", settings: null, id: null, headers: false, curl: false, form: [], accept: null };
const rest = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--client") opts.client = args[++i];
  else if (a === "--base") opts.base = args[++i];
  else if (a === "--settings") opts.settings = args[++i];
  else if (a === "--id") opts.id = args[++i];
  else if (a === "-i") opts.headers = true;
  else if (a === "--curl") opts.curl = true;
  else if (a === "--accept") opts.accept = args[++i];
  else if (a === "--form") opts.form.push(args[++i]);
  else if (a === "-h" || a === "--help") { usage(0); }
  else rest.push(a);
}
if (rest.length < 2) usage(2);
const [method, path, bodyArg] = [rest[0].toUpperCase(), rest[1], rest[2]];

function usage(code) {
  console.error("usage: node scripts/hubcall.mjs [--client ID] [--base URL] [--settings FILE] [--id ID] [-i] [--curl] [--accept TYPE] [--form NAME=VALUE|NAME=@FILE ...] METHOD PATH [BODY|@FILE]");
  process.exit(code);
}

const settingsFile = opts.settings
  ?? [join(root, "functions/HubFunctions.Functions/local.settings.json"), join(root, "local.settings.sample.json")].find(existsSync);
const values = JSON.parse(readFileSync(settingsFile, "utf8")).Values ?? {};
const secret = values[`Hub__Clients__${opts.client}__Secret`];
if (!secret) {
  console.error(`no client '${opts.client}' in ${settingsFile}`);
  process.exit(2);
}

// A multipart body is built once and its exact bytes signed (the signature covers the raw body).
let contentType = "application/json";
let body;
if (opts.form.length > 0) {
  const form = new FormData();
  for (const part of opts.form) {
    const eq = part.indexOf("=");
    if (eq < 1) usage(2);
    const [name, value] = [part.slice(0, eq), part.slice(eq + 1)];
    if (value.startsWith("@")) form.append(name, new Blob([readFileSync(value.slice(1))]), basename(value.slice(1)));
    else form.append(name, value);
  }
  const encoded = new Response(form);
  contentType = encoded.headers.get("content-type");
  body = Buffer.from(await encoded.arrayBuffer());
} else {
  body = bodyArg === undefined ? Buffer.alloc(0)
    : bodyArg.startsWith("@") ? readFileSync(bodyArg.slice(1)) : Buffer.from(bodyArg, "utf8");
}
const id = opts.id ?? `msg_${randomUUID().replaceAll("-", "")}`;
const timestamp = Math.floor(Date.now() / 1000).toString();
const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
const mac = createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest("base64");
const headers = {
  "x-hub-client": opts.client,
  "webhook-id": id,
  "webhook-timestamp": timestamp,
  "webhook-signature": `v1,${mac}`,
};
if (body.length > 0) headers["content-type"] = contentType;
if (opts.accept) headers.accept = opts.accept;

const url = new URL(path, opts.base).toString();
if (opts.curl) {
  const h = Object.entries(headers).map(([k, v]) => `-H '${k}: ${v}'`).join(" ");
  if (opts.form.length > 0) {
    console.error("--curl prints JSON bodies only; a multipart body is binary");
    process.exit(2);
  }
  const d = body.length > 0 ? ` --data-binary '${body.toString("utf8").replaceAll("'", "'\\''")}'` : "";
  console.log(`curl -sS -X ${method} ${h}${d} '${url}'`);
  process.exit(0);
}

const response = await fetch(url, { method, headers, body: body.length > 0 ? body : undefined });
if (opts.headers) {
  console.log(`HTTP ${response.status} ${response.statusText}`);
  for (const [k, v] of response.headers) console.log(`${k}: ${v}`);
  console.log();
}
const text = await response.text();
try {
  console.log(JSON.stringify(JSON.parse(text), null, 2));
} catch {
  process.stdout.write(text + (text.endsWith("\n") ? "" : "\n"));
}
process.exit(response.ok ? 0 : 1);
