// Hostile names in Chromium: the Rust test (console.rs, browser_hostile_names) put
// `<img src=x onerror="window.__xss=…">` into villages, industries, categories, cases, households,
// residents, account names and the audit log. Every page that shows them is opened as the role that
// uses it; no script may run (window.__xss stays unset), no page may raise a script error, and the
// Content-Security-Policy must block nothing the pages themselves need. The alliance map's
// tooltips are opened on every village.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import assert from "node:assert/strict";

const base = process.env.XZ_BASE;
const pw = process.env.XZ_PASSWORD;
const shots = process.env.XZ_ARTIFACTS ?? "artifacts/screenshots";
mkdirSync(shots, { recursive: true });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });

// Counts script that ran from data, and CSP reports, from the first script of every page.
const watch = () => {
  window.__csp = [];
  document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber} ${e.sample}`));
};

async function as(login, viewport = { width: 1280, height: 900 }) {
  const ctx = await browser.newContext({ viewport, locale: "zh-CN" });
  await ctx.addInitScript(watch);
  const page = await ctx.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("dialog", (d) => { errors.push(`dialog: ${d.message()}`); d.dismiss(); });
  if (login) {
    await page.goto(`${base}/login`);
    await page.fill("input[name=login]", login);
    await page.fill("input[name=password]", pw);
    await page.click("button[type=submit]");
    await page.waitForLoadState("networkidle");
  }
  return { ctx, page, errors };
}

let visited = 0;
let shownAsText = 0;
async function check(p, label) {
  const { page, errors } = p;
  await page.waitForLoadState("networkidle");
  const state = await page.evaluate(() => ({ xss: window.__xss ?? 0, csp: window.__csp ?? [], text: document.body.innerText }));
  assert.equal(state.xss, 0, `${label}: markup from data ran as script`);
  assert.deepEqual(state.csp, [], `${label}: the Content-Security-Policy blocked something`);
  assert.deepEqual(errors, [], `${label}: script errors`);
  if (state.text.includes("<img src=x")) shownAsText += 1;
  visited += 1;
}

let failed = false;
try {
  // The village secretary: tree, search, household, resident, cases, a case, statistics.
  {
    const p = await as(process.env.XZ_SECRETARY);
    for (const path of ["/tree", "/tree?code=141029100001", `/households/${process.env.XZ_HOUSEHOLD_ID}`, `/residents/${process.env.XZ_RESIDENT_ID}`,
      "/cases", "/stats?from=2000-01-01", "/notifications", "/coverage", "/party"]) {
      await p.page.goto(`${base}${path}`);
      await check(p, path);
    }
    await p.page.goto(`${base}/cases`);
    await p.page.click("table.grid a >> nth=0");
    await p.page.waitForURL(/\/cases\/\d+/);
    await check(p, "a case");
    await p.page.screenshot({ path: `${shots}/30-hostile-case.png`, fullPage: true });
    await p.page.goto(`${base}/search`);
    await p.page.fill("input[name=q]", "img");
    await p.page.waitForTimeout(800);
    await check(p, "search results");
    await p.ctx.close();
  }
  // The township officer plans alliances: the map with hostile village names and industries.
  {
    const p = await as(process.env.XZ_OFFICER, { width: 1600, height: 1000 });
    await p.page.goto(`${base}/alliances`);
    await check(p, "/alliances");
    await p.page.click("form.plan-form button[type=submit]");
    await p.page.waitForURL(/\/alliances\/\d+$/);
    await p.page.waitForSelector("#alliance-map canvas", { timeout: 30000 });
    const n = await p.page.evaluate(() => {
      const chart = window.echarts.getInstanceByDom(document.getElementById("alliance-map"));
      const count = chart.getOption().series[1].data.length;
      for (let i = 0; i < count; i += 1) chart.dispatchAction({ type: "showTip", seriesIndex: 1, dataIndex: i });
      return count;
    });
    assert.ok(n > 0, "the map has villages");
    const tip = await p.page.evaluate(() => {
      const chart = window.echarts.getInstanceByDom(document.getElementById("alliance-map"));
      chart.dispatchAction({ type: "showTip", seriesIndex: 1, dataIndex: 0 });
      return [...document.querySelectorAll("#alliance-map div")].map((d) => d.innerText).join("\n");
    });
    assert.match(tip, /<img src=x/, "the tooltip shows the name as text");
    await p.page.screenshot({ path: `${shots}/31-hostile-alliance-tooltip.png` });
    await check(p, "alliance map tooltips");
    await p.ctx.close();
  }
  // The security administrator's accounts and the auditor's log.
  for (const [login, path] of [[process.env.XZ_SECURITY, "/users"], [process.env.XZ_AUDITOR, "/audit"]]) {
    const p = await as(login);
    await p.page.goto(`${base}${path}`);
    await check(p, path);
    await p.ctx.close();
  }
  // A resident's public report form (the county's villages) and the grid worker's phone page.
  {
    const p = await as(null, { width: 390, height: 844 });
    await p.page.goto(`${base}/report?county=141029`);
    await check(p, "/report");
    await p.ctx.close();
    const m = await as(process.env.XZ_GRID_WORKER, { width: 360, height: 640 });
    await m.page.goto(`${base}/m/`);
    await m.page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await check(m, "/m/");
    await m.page.screenshot({ path: `${shots}/32-hostile-mobile.png`, fullPage: true });
    await m.ctx.close();
  }
  assert.ok(shownAsText >= 8, `hostile names shown as text on ${shownAsText} of ${visited} pages`);
  console.log(`hostile names: ${visited} pages, shown as text on ${shownAsText}, no script ran, no CSP violation`);
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
