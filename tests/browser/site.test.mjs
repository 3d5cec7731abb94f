// Loads a built nhi site in headless Chromium, over HTTP on 127.0.0.1 and from file://, and fails on a
// console error, a request leaving the machine, a broken interaction, or an axe-core violation.
//
//   SITE_DIR=site SCREENSHOTS_DIR=shots node site.test.mjs
//
// CHROMIUM (default /usr/bin/chromium) and IDENTITY (the identity page to open; default: the first) are
// optional.
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const siteDir = resolve(process.env.SITE_DIR || process.argv[2] || "site");
const shots = resolve(process.env.SCREENSHOTS_DIR || "screenshots");
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
mkdirSync(shots, { recursive: true });

const identityFiles = readdirSync(join(siteDir, "identities")).filter((f) => f.endsWith(".html")).sort();
const identity = process.env.IDENTITY ? `${process.env.IDENTITY}.html` : identityFiles[0];
const ownerFile = readdirSync(join(siteDir, "owners")).filter((f) => f.endsWith(".html")).sort()[0];
const systemFile = readdirSync(join(siteDir, "systems")).filter((f) => f.endsWith(".html")).sort()[0];
// A person page (with the offboarding view), as well as the first owner page (a team in the example).
const personFile = readdirSync(join(siteDir, "owners")).filter((f) => f.endsWith(".html")).sort().find((f) => readFileSync(join(siteDir, "owners", f), "utf8").includes('id="h-offboard"'));
if (!personFile) throw new Error("no person page with an offboarding view");
const searchWord = identity.replace(/\.html$/, "").split(/[-.]/)[0];

const types = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript", ".json": "application/json", ".csv": "text/csv", ".sarif": "application/json", ".png": "image/png" };

function serve() {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://127.0.0.1").pathname);
    const file = resolve(siteDir, "." + (path.endsWith("/") ? path + "index.html" : path));
    if (!file.startsWith(siteDir + sep) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": types[extname(file)] || "application/octet-stream" });
    res.end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

const failures = [];
const fail = (what) => { failures.push(what); console.error("FAIL " + what); };

async function check(context, base, mode) {
  const page = await context.newPage();
  const errors = [];
  page.on("console", (msg) => { if (msg.type() === "error") errors.push(msg.text()); });
  page.on("pageerror", (err) => errors.push(String(err)));
  page.on("requestfailed", (req) => { if (!req.url().startsWith("http://127.0.0.1") && !req.url().startsWith("file:")) return; errors.push(`request failed: ${req.url()}`); });

  async function visit(path, name, act) {
    errors.length = 0;
    await page.goto(base + path, { waitUntil: "load" });
    if (act) await act();
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"], preload: false }));
    for (const v of result.violations) {
      fail(`${mode} ${path}: axe ${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
    }
    for (const e of errors) fail(`${mode} ${path}: console: ${e}`);
    await page.screenshot({ path: join(shots, `${mode}-${name}.png`), fullPage: true });
    console.log(`ok ${mode} ${path}`);
  }

  await page.setViewportSize({ width: 1280, height: 800 });
  // The section links as the browser resolved them: written into the section pages' HTML, and by site.js
  // on a document's page; both must give the same links.
  const navigation = () => page.$$eval("body > header nav.site-nav a", (as) => as.map((a) => `${a.href} ${a.textContent}`).join("\n"));
  let sections = "";
  await visit("index.html", "dashboard", async () => {
    await page.screenshot({ path: join(shots, `${mode}-dashboard-1280x800.png`) });
    sections = await navigation();
  });
  await visit(`identities/${identity}`, "identity", async () => {
    if ((await page.locator("h1").count()) !== 1) fail(`${mode}: the identity page has no single h1`);
    if ((await page.locator("svg.blast a circle, #h-blast ~ p.empty").count()) === 0) fail(`${mode}: no blast radius (picture drawn from the page's table, or "reaches no system") on the identity page`);
    if ((await page.locator("#h-leak ~ ol.steps li").count()) < 3) fail(`${mode}: no leak runbook steps on the identity page`);
    if ((await navigation()) !== sections) fail(`${mode}: the identity page's section links differ from the dashboard's:\n${await navigation()}\n${sections}`);
    if ((await page.locator('nav.site-nav a[href$="identities.html"][aria-current="page"]').count()) !== 1) fail(`${mode}: the navigation does not mark the Identities section on an identity page`);
    await page.fill("body > header form[role=search] input[name=q]", searchWord);
    await Promise.all([page.waitForURL(/search\.html\?q=/), page.press("body > header form[role=search] input[name=q]", "Enter")]);
    await page.locator("#search-results li").first().waitFor({ timeout: 5000 }).catch(() => fail(`${mode}: searching from an identity page's header shows no result`));
    await page.goBack();
  });
  await visit("search.html", "search", async () => {
    await page.fill("#search-q", searchWord);
    const hit = page.locator("#search-results li a", { hasText: searchWord }).first();
    await hit.waitFor({ timeout: 5000 }).catch(() => fail(`${mode}: searching "${searchWord}" shows no result`));
    // A result links to its page (the script makes the href from the entry's kind and id).
    const [id, href] = await hit.evaluate((a) => [a.textContent, a.getAttribute("href")]);
    if (!/^(identities|owners|systems)\/[^/]+\.html$/.test(href) || !statSync(join(siteDir, href), { throwIfNoEntry: false })) fail(`${mode}: the search result ${id} links to ${href}, not to its page`);
    else if (!href.endsWith(`/${id}.html`)) fail(`${mode}: the search result ${id} links to ${href}`);
  });
  await visit(`search.html?q=${encodeURIComponent(searchWord)}`, "search-from-header", async () => {
    await page.locator("#search-results li").first().waitFor({ timeout: 5000 }).catch(() => fail(`${mode}: search from the header shows no result`));
  });
  await visit("graph.html", "graph", async () => {
    await page.locator("#graph-svg .gnode").first().waitFor({ timeout: 10000 }).catch(() => fail(`${mode}: the graph view draws no node`));
    const hrefs = await page.$$eval("#graph-svg a.gnode", (as) => as.map((a) => a.getAttribute("href")));
    const missing = hrefs.filter((h) => !statSync(join(siteDir, h), { throwIfNoEntry: false }));
    if (hrefs.length === 0 || missing.length) fail(`${mode}: graph nodes link to no page: ${missing.slice(0, 3).join(", ") || "(no links)"}`);
  });
  await visit("findings.html", "findings", async () => {
    const sort = page.locator("table.sortable th .sort").first();
    if ((await sort.count()) > 0) {
      await sort.click();
      if ((await page.locator('table.sortable th[aria-sort]').count()) === 0) fail(`${mode}: sorting a table does not mark the column`);
    }
  });
  await visit("trends.html", "trends", async () => {
    if ((await page.locator("svg.chart").count()) < 2) fail(`${mode}: the Trends page draws fewer than two charts`);
    if ((await page.locator("table#trend tbody tr").count()) < 2) fail(`${mode}: the Trends page lists fewer than two samples`);
    if ((await page.locator('nav.site-nav a[href$="trends.html"][aria-current="page"]').count()) !== 1) fail(`${mode}: the navigation does not mark the Trends page`);
  });
  await visit(`identities/${identity}`, "identity-history", async () => {
    if ((await page.locator("#h-history + ol.history li").count()) === 0) fail(`${mode}: the identity page lists no commit`);
  });
  for (const [path, name] of [["compliance.html", "compliance"], ["exceptions.html", "exceptions"], ["owners.html", "owners"], ["systems.html", "systems"], ["identities.html", "identities"], ["downloads.html", "downloads"], [`owners/${ownerFile}`, "owner"], [`owners/${personFile}`, "person"], [`systems/${systemFile}`, "system"], ["runbooks.html", "runbooks"], ["exceptions/exc-2026-014.html", "exception"]]) {
    await visit(path, name);
  }
  await page.close();
}

const server = await serve();
const port = server.address().port;
const userDataDir = mkdtempSync(join(tmpdir(), "nhi-chromium-"));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const outside = [];
await context.route("**/*", (route) => {
  const url = route.request().url();
  const local = url.startsWith(`http://127.0.0.1:${port}/`) || url.startsWith("file://") || url.startsWith("data:");
  if (local) return route.continue();
  outside.push(url);
  return route.abort();
});
try {
  await check(context, `http://127.0.0.1:${port}/`, "http");
  await check(context, pathToFileURL(siteDir).href + "/", "file");
} finally {
  await context.close();
  server.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
for (const url of outside) fail(`a request left the machine: ${url}`);
if (failures.length) {
  console.error(`${failures.length} failure(s); screenshots in ${shots}`);
  process.exit(1);
}
console.log(`browser test passed; screenshots in ${shots}`);
