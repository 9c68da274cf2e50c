#!/usr/bin/env node
// Seeds the local run with demo data through the public API, so it is idempotent and exercises
// the same paths a user would. Today: checks that each local client from the settings can sign
// (GET /api/clients/me). The demo seller's own record is seeded by the admission work.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const base = args[args.indexOf("--base") + 1] ?? "http://localhost:7071";
const settings = args[args.indexOf("--settings") + 1];
const values = JSON.parse(readFileSync(settings, "utf8")).Values ?? {};
const clients = Object.keys(values).map((k) => k.match(/^Hub__Clients__(.+)__Secret$/)?.[1]).filter(Boolean);

for (const client of clients) {
  const out = execFileSync("node", [join(root, "scripts/hubcall.mjs"), "--base", base, "--settings", settings, "--client", client, "GET", "/api/clients/me"], { encoding: "utf8" });
  const me = JSON.parse(out);
  console.log(`  client ${me.clientId.padEnd(14)} role ${me.role.padEnd(13)} ${me.sellerId ? "seller " + me.sellerId : me.hub ? "hub " + me.hub : ""}`);
}
