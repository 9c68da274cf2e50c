#!/usr/bin/env node
// Seeds the local run with demo data. Idempotent: running it again changes nothing and fails on nothing.
//  1. Each local client from the settings signs a request (GET /api/clients/me).
//  2. demo-seller: an active brand-trader at hangzhou since 2024-01-01, tax rating A, its hub seller
//     id from the real allocator. The public API cannot create a seller active since 2024, so the
//     DevHost's local-only POST /admin/seed/demo-seller does it through the real stores (never deployed).
//     The same call uploads, validates and approves its current documents through the real document
//     services (business licence, this month's customs declaration, brand authorisation; see DemoSeed.cs).
//  3. A pending application of demo-newcomer, submitted through the public API as the platform
//     (seller-center), for a newcomer to walk through. Sent with a fixed webhook-id: a repeat is a
//     replay; later, 409 (still open, or admitted) is fine too.
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

/** Runs scripts/hubcall.mjs; returns { ok, json }. */
function hubcall(client, method, path, body, id) {
  const argv = [join(root, "scripts/hubcall.mjs"), "--base", base, "--settings", settings, "--client", client];
  if (id) argv.push("--id", id);
  argv.push(method, path);
  if (body !== undefined) argv.push(JSON.stringify(body));
  try {
    return { ok: true, json: JSON.parse(execFileSync("node", argv, { encoding: "utf8" })) };
  } catch (e) {
    if (e.status === 1 && e.stdout) return { ok: false, json: JSON.parse(e.stdout) };
    throw e;
  }
}

for (const client of clients) {
  const me = hubcall(client, "GET", "/api/clients/me").json;
  console.log(`  client ${me.clientId.padEnd(14)} role ${me.role.padEnd(13)} ${me.sellerId ? "seller " + me.sellerId : me.hub ? "hub " + me.hub : ""}`);
}

const seeded = await fetch(new URL("/admin/seed/demo-seller", base), { method: "POST" });
if (!seeded.ok) throw new Error(`POST /admin/seed/demo-seller answered ${seeded.status}: ${await seeded.text()}`);
const seller = await seeded.json();
console.log(`  seller ${seller.sellerId} ${seller.hubSellerId} at ${seller.hub}, ${seller.status} since ${seller.activeSince}, tax rating ${seller.taxRating}${seller.created ? " (created)" : ""}`);
for (const d of seller.documents) console.log(`    document ${d.type.padEnd(20)} ${d.documentId} v${d.version} ${d.status}${d.created ? " (created)" : ""}`);

const billing = await fetch(new URL("/admin/seed/demo-dongguan", base), { method: "POST" });
if (!billing.ok) throw new Error(`POST /admin/seed/demo-dongguan answered ${billing.status}: ${await billing.text()}`);
const demoBilling = await billing.json();
console.log(`  seller ${demoBilling.sellerId} ${demoBilling.hubSellerId} at ${demoBilling.hub}: a month of usage and snapshots for ${demoBilling.period}, billing run ${demoBilling.runId} (invoice ${demoBilling.invoiceId})`);

const application = {
  sellerId: "demo-newcomer",
  storeName: "Newcomer Flagship Store",
  entityName: "华为技术有限公司",
  category: "brand-trader",
  unifiedSocialCreditCode: "914403001922038216",
  hub: "hangzhou",
  ownBrand: true,
  brandAuthorizationCertified: true,
  iso14001: false,
};
const submitted = hubcall("seller-center", "POST", "/api/applications", application, "seed-demo-newcomer-application");
const applicationId = submitted.ok ? submitted.json.applicationId
  : submitted.json.code === "open-application-exists" ? submitted.json.openApplicationId
  : submitted.json.code === "seller-already-active" ? null
  : (() => { throw new Error(`POST /api/applications answered ${submitted.json.status} ${submitted.json.code}: ${submitted.json.detail}`); })();
console.log(applicationId
  ? `  application ${applicationId} of demo-newcomer (pending): node scripts/hubcall.mjs --client seller-center GET /api/applications/${applicationId}`
  : "  demo-newcomer was admitted already (its application was approved)");
