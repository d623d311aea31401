// Browser test of the console: Debian's Chromium driven by playwright-core.
// Run by the Rust integration suite (browser.rs), which starts a server on a seeded database and
// passes: XZ_BASE (server URL), XZ_SECRETARY / XZ_SECURITY / XZ_AUDITOR / XZ_GRID_WORKER (logins), XZ_PASSWORD,
// XZ_HOUSEHOLD (a household number in the secretary's village), XZ_OFFICER (a township officer whose
// township has village planning profiles), XZ_ARTIFACTS (screenshot folder).
import { chromium } from "playwright-core";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import assert from "node:assert/strict";

const base = process.env.XZ_BASE;
const pw = process.env.XZ_PASSWORD;
const shots = process.env.XZ_ARTIFACTS ?? "artifacts/screenshots";
mkdirSync(shots, { recursive: true });
const exe = process.env.CHROMIUM ?? "/usr/bin/chromium";

// axe-core over every page: critical and serious violations are collected and fail the test.
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const violations = [];
async function accessible(p, name) {
  await p.evaluate(axeSource);
  const r = await p.evaluate(() => globalThis.axe.run(document, { resultTypes: ["violations"] }));
  for (const v of r.violations) {
    if (v.impact === "critical" || v.impact === "serious") {
      violations.push(`${name}: ${v.id} (${v.impact}) ×${v.nodes.length}, e.g. ${v.nodes[0].target.join(" ")}: ${v.help}`);
    }
  }
}

const browser = await chromium.launch({ executablePath: exe, args: ["--no-sandbox", "--disable-gpu"] });
let failed = false;
// Signs `who` in on a new page of `ctx` and waits for their home page.
async function signIn(ctx, who) {
  const p = await ctx.newPage();
  await p.goto(`${base}/login`);
  await p.fill("input[name=login]", who);
  await p.fill("input[name=password]", pw);
  await p.click("button[type=submit]");
  await p.waitForURL(`${base}/`);
  return p;
}
// Submits a case page's step form and waits for the page it leads back to.
async function submitStep(p) {
  await Promise.all([p.waitForNavigation(), p.click("form[action$='/step'] button[type=submit]")]);
}
try {
  // A village secretary on a phone.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: "zh-CN" });
  const page = await phone.newPage();
  await page.goto(`${base}/search`);
  assert.match(page.url(), /\/login\?next=/, "an anonymous visitor is sent to the login page");
  await page.screenshot({ path: `${shots}/01-login.png`, fullPage: true });
  await accessible(page, "01-login");

  await page.fill("input[name=login]", process.env.XZ_SECRETARY);
  await page.fill("input[name=password]", "wrong-password-1A");
  await page.click("button[type=submit]");
  await page.waitForSelector(".error");
  assert.match(await page.textContent(".error"), /登录名或密码错误/);

  await page.fill("input[name=password]", pw);
  await page.click("button[type=submit]");
  await page.waitForURL(/\/search/);
  // Find the household by its number: results arrive through htmx as the user types.
  await page.fill("input[name=q]", process.env.XZ_HOUSEHOLD);
  await page.waitForSelector(`#results a:text-is("${process.env.XZ_HOUSEHOLD}")`);
  await page.screenshot({ path: `${shots}/02-search.png`, fullPage: true });
  await accessible(page, "02-search");
  await page.click(`#results a:text-is("${process.env.XZ_HOUSEHOLD}")`);
  await page.waitForURL(/\/households\/\d+/);
  const ids = await page.$$eval("td.masked", (tds) => tds.map((t) => t.textContent.trim()).filter((t) => t.length > 11));
  assert.ok(ids.length > 0, "the household shows its members' ID numbers");
  for (const id of ids) assert.match(id, /^\d{3}\*{11}[\dX]{4}$/, `ID number ${id} is masked (first 3, last 4)`);
  const html = await page.content();
  assert.ok(!/\d{17}[\dX]/.test(html), "no full ID number anywhere on the page");
  await page.screenshot({ path: `${shots}/03-household.png`, fullPage: true });
  await accessible(page, "03-household");

  await page.click("table.grid tbody a >> nth=0");
  await page.waitForURL(/\/residents\/\d+/);
  await page.screenshot({ path: `${shots}/04-resident.png`, fullPage: true });
  await accessible(page, "04-resident");
  await page.fill("input[name=purpose]", "入户走访核实");
  await page.click("form[action$=reveal] button");
  await page.waitForSelector(".warn");
  assert.match(await page.textContent("dd.masked"), /^\d{17}[\dX]$/, "revealed for a stated purpose");
  await page.screenshot({ path: `${shots}/05-resident-revealed.png`, fullPage: true });
  await accessible(page, "05-resident-revealed");

  for (const [path, name] of [["/", "00-home"], ["/cases/ledger", "15-ledger"], ["/staff", "29-staff"], ["/tree", "06-tree"], ["/party", "07-party"], ["/coverage", "09-coverage"], ["/cases", "13-cases"], ["/stats?from=2000-01-01", "17-stats"], ["/notifications", "18-notifications"], ["/report?county=141029", "19-public-report"], ["/rentals", "32-rentals"], ["/points", "34-points"], ["/points/store?q=CG-0001", "35-points-store"], ["/points/boards", "36-points-boards"], ["/points/members", "37-points-members"], ["/board/141029100001", "39-public-board"], ["/publicity/141029100001", "43-publicity"]]) {
    await page.goto(`${base}${path}`);
    await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
    await accessible(page, name);
  }
  // A villagers' meeting on a tablet passed round the room (issue 20): the secretary opens the
  // matter and takes it to the party members' review, calls the meeting with its roll from the
  // registry, the villagers sign in (one while the signal is lost), the sign-in closes with its
  // quorum, the vote is recorded, and the matter's decision names it and is published.
  {
    const ctx = await browser.newContext({ viewport: { width: 820, height: 1180 }, locale: "zh-CN", hasTouch: true });
    const t = await signIn(ctx, process.env.XZ_SECRETARY);
    const errors = [];
    t.on("pageerror", (e) => errors.push(String(e)));
    await t.goto(`${base}/decisions`);
    await t.screenshot({ path: `${shots}/44-decisions.png`, fullPage: true });
    await accessible(t, "44-decisions");
    const open = t.locator("form[action='/decisions/matters']");
    await open.locator("select[name=kind]").selectOption("collective_income");
    await open.locator("input[name=title]").fill("2026年度集体收益使用方案");
    await open.locator("input[name=one_shoulder]").check();
    await Promise.all([t.waitForURL(/\/decisions\/matters\/\d+\/\d+$/), open.locator("button").click()]);
    const matterUrl = t.url();
    await t.check("input[name=joint]");
    await t.fill("textarea[name=evidence]", "村“两委”联席会议记录第1号");
    await Promise.all([t.waitForNavigation(), t.click("form[action$='/steps'] button")]);
    await t.fill("textarea[name=evidence]", "党员大会审议通过，会议记录第2号");
    await Promise.all([t.waitForNavigation(), t.click("form[action$='/steps'] button")]);
    assert.match(await t.textContent("form[action$='/steps'] h2"), /村民（代表）会议决议/, "the decision comes next");
    await t.goto(`${base}/decisions`);
    const call = t.locator("form[action='/decisions/meetings']");
    await call.locator("select[name=kind]").selectOption("villagers_meeting");
    await call.locator("input[name=title]").fill("2026年度收益使用方案表决");
    await call.locator("input[name=place]").fill("村委会议室");
    const notified = new Date(Date.now() - 15 * 86400e3).toISOString().slice(0, 10);
    await call.locator("input[name=notified_on]").fill(notified);
    await Promise.all([t.waitForURL(/\/decisions\/meetings\/\d+\/\d+$/), call.locator("button").click()]);
    // The paper sheet's view of the same roll, for a clerk entering it afterwards.
    const meetingPage = t.url();
    await t.goto(`${meetingPage}?paper=1`);
    assert.ok((await t.$$("form[action$='/sheet'] input[type=checkbox]")).length >= 3, "a box per person");
    await t.screenshot({ path: `${shots}/45-meeting-paper.png`, fullPage: true });
    await accessible(t, "45-meeting-paper");
    await t.locator("form[action$='/sheet'] input[type=checkbox]").last().check();
    await Promise.all([t.waitForNavigation(), t.click("form[action$='/sheet'] button")]);
    assert.match(await t.textContent("p.ok"), /已按签到表登记1人/);
    await t.goto(meetingPage);
    const rows = t.locator("#roll li");
    const n = await rows.count();
    assert.ok(n >= 3, `the roll holds the village's adults (${n})`);
    const voters = (await rows.locator(".who-is strong").allTextContents()).map((x) => x.trim());
    await rows.nth(0).locator("button", { hasText: "签到" }).click();
    await t.waitForFunction(() => document.getElementById("sync").textContent.includes("签到均已送达"));
    // The signal drops: the tap is kept on the tablet and sent when it is back.
    await ctx.setOffline(true);
    await rows.nth(1).locator("button", { hasText: "签到" }).click();
    await t.waitForFunction(() => /待送达|没有网络/.test(document.getElementById("sync").textContent));
    assert.equal(await t.isDisabled("#close button"), true, "no closing while sign-ins wait");
    await t.screenshot({ path: `${shots}/45-meeting-signin-offline.png`, fullPage: true });
    await ctx.setOffline(false);
    await t.waitForFunction(() => document.getElementById("sync").textContent.includes("签到均已送达"), null, { timeout: 90000 });
    // The last was entered from the paper sheet already.
    for (let i = 2; i < n - 1; i++) await rows.nth(i).locator("button", { hasText: "签到" }).click();
    await t.waitForFunction(() => document.getElementById("sync").textContent.includes("签到均已送达"));
    await t.reload();
    assert.equal((await t.textContent("#signed")).trim(), String(n), "the server has every sign-in");
    await t.screenshot({ path: `${shots}/45-meeting-signin.png`, fullPage: true });
    await accessible(t, "45-meeting-signin");
    await t.fill("textarea[name=minutes]", "村党支部书记主持，逐项讨论收益使用方案。");
    await Promise.all([t.waitForNavigation(), t.click("#close button")]);
    assert.match(await t.textContent("main"), /达到法定人数/);
    await t.fill("input[name=title]", "2026年度集体收益使用方案");
    await t.selectOption("select[name=matter_kind]", "collective_income");
    await t.fill("input[name=yes]", String(n));
    await t.fill("input[name=no]", "0");
    await Promise.all([t.waitForNavigation(), t.click("form[action$='/items'] button")]);
    assert.match(await t.textContent("table.grid tbody"), /通过/);
    await t.screenshot({ path: `${shots}/46-meeting-held.png`, fullPage: true });
    await accessible(t, "46-meeting-held");
    const meetingUrl = t.url().replace(/#.*$/, "");
    await t.goto(`${meetingUrl}/print?part=minutes`);
    assert.match(await t.textContent("main"), /会议记录[\s\S]*通过/);
    await t.screenshot({ path: `${shots}/47-minutes.png`, fullPage: true });
    await accessible(t, "47-minutes");
    await t.emulateMedia({ media: "print" });
    assert.equal(await t.isVisible("header.top"), false, "no console chrome on paper");
    await t.emulateMedia({ media: "screen" });
    await t.goto(matterUrl);
    await t.fill("textarea[name=evidence]", "村民会议表决通过");
    await Promise.all([t.waitForNavigation(), t.click("form[action$='/steps'] button")]);
    // The decision's publication goes on the village's board with the step.
    await t.fill("input[name=post_title]", "2026年度集体收益使用方案决议公开");
    await t.fill("textarea[name=post_body]", "经村民会议表决通过，全文张贴于村务公开栏。");
    await Promise.all([t.waitForNavigation(), t.click("form[action$='/steps'] button")]);
    assert.match(await t.textContent("ol.timeline"), /决议通过[\s\S]*内容指纹/);
    await t.screenshot({ path: `${shots}/48-matter.png`, fullPage: true });
    await accessible(t, "48-matter");
    // The month's finances posted on the village's public board; markup in a title stays text.
    await t.goto(`${base}/decisions`);
    const post = t.locator("form[action='/decisions/publicity']");
    await post.locator("select[name=kind]").selectOption("finance");
    await post.locator("input[name=title]").fill("<b>2026年11月</b>财务收支");
    await post.locator("textarea[name=body]").fill("本月收入12000元，支出8000元。经手人电话13912345678");
    await Promise.all([t.waitForNavigation(), post.locator("button").click()]);
    assert.match(await t.textContent("p.ok"), /已公开/);
    await t.goto(`${base}/publicity/141029100001`);
    const board = await t.textContent("main");
    assert.match(board, /<b>2026年11月<\/b>财务收支/, "the title shown as typed, never as markup");
    assert.doesNotMatch(board, /13912345678/, "a phone is masked on the board");
    // The published decision is on the board; who came and how anyone voted is not.
    assert.match(board, /2026年度集体收益使用方案决议公开[\s\S]*经村民会议表决通过/);
    for (const name of voters) assert.ok(!board.includes(name), `${name} is not on the public board`);
    await t.screenshot({ path: `${shots}/48-board-decision.png`, fullPage: true });
    assert.deepEqual(errors, [], "no script errors on the meeting pages");
    await ctx.close();
  }
  // The collective's income distribution on the secretary's phone (issue 21): the year's rent
  // entered in yuan, the plan drafted from the books, the matter taken through its first steps,
  // the plan posted for inspection, the members' assembly's roll signed and its vote recorded,
  // the decision bound to the plan, the household paid, its code printed, and the household
  // reading its own line on the public board.
  {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: "zh-CN" });
    const t = await signIn(ctx, process.env.XZ_SECRETARY);
    const errors = [];
    t.on("pageerror", (e) => errors.push(String(e)));
    // Days in China's calendar, as the server counts them.
    const day = (n) => new Date(Date.now() + 8 * 3600e3 + n * 86400e3).toISOString().slice(0, 10);
    await t.goto(`${base}/economy`);
    await t.screenshot({ path: `${shots}/49-economy.png`, fullPage: true });
    await accessible(t, "49-economy");
    await t.click("a[href^='/economy/villages/141029100001']");
    const books = t.url();
    const entry = t.locator("form[action$='/funds']");
    await entry.locator("select[name=category]").selectOption("income:contracting");
    await entry.locator("input[name=amount]").fill("48,000.50");
    await entry.locator("input[name=summary]").fill("东坡耕地发包租金");
    await entry.locator("input[name=voucher]").fill("记-001");
    await Promise.all([t.waitForNavigation(), entry.locator("button").click()]);
    assert.match(await t.textContent("p.ok"), /已记账：记-001 48000\.50 元/);
    await t.screenshot({ path: `${shots}/50-economy-books.png`, fullPage: true });
    await accessible(t, "50-economy-books");
    const draft = t.locator("form[action$='/distributions']");
    await draft.locator("input[name=distributable]").fill("36000");
    // No household here is marked out of poverty: that class goes, the others take its part.
    await draft.locator("input[name=class1_name]").fill("");
    await draft.locator("input[name=class1_percent]").fill("");
    await draft.locator("input[name=class2_percent]").fill("80");
    await Promise.all([t.waitForURL(/\/economy\/distributions\/\d+\/\d+$/), draft.locator("button[type=submit]").click()]);
    const plan = t.url();
    assert.match(await t.textContent("main"), /不能发放[\s\S]*25920\.00/);
    // Its matter, through the branch's proposal, the committees and the party members' review.
    await t.goto(`${base}/decisions`);
    const open = t.locator("form[action='/decisions/matters']");
    await open.locator("select[name=kind]").selectOption("income_distribution");
    await open.locator("input[name=title]").fill("2026年度收益分配方案");
    await Promise.all([t.waitForURL(/\/decisions\/matters\/\d+\/\d+$/), open.locator("button").click()]);
    const matter = t.url();
    for (const what of ["党支部提议，记录第3号", "两委会商议，记录第4号", "党员大会审议，记录第5号"]) {
      await t.fill("textarea[name=evidence]", what);
      await t.fill("input[name=taken_on]", day(-20));
      await Promise.all([t.waitForNavigation(), t.click("form[action$='/steps'] button")]);
    }
    // Posted for inspection fifteen days before the vote.
    await t.goto(plan);
    const inspect = t.locator("form[action$='/inspection']");
    await inspect.locator("input[name=posted_on]").fill(day(-15));
    await inspect.locator("input[name=until_on]").fill(day(-1));
    await Promise.all([t.waitForNavigation(), inspect.locator("button").click()]);
    assert.match(await t.textContent("p.ok"), /已在村务公开栏公示/);
    await t.screenshot({ path: `${shots}/51-distribution-plan.png`, fullPage: true });
    await accessible(t, "51-distribution-plan");
    // The members' assembly: its roll by name, each signed in, then the vote.
    await t.goto(`${base}/decisions`);
    const call = t.locator("form[action='/decisions/meetings']");
    await call.locator("select[name=kind]").selectOption("members_assembly");
    await call.locator("input[name=title]").fill("2026年度成员大会");
    await call.locator("input[name=notified_on]").fill(day(-12));
    await call.locator("textarea[name=members]").fill("李秀英\n王建军");
    await Promise.all([t.waitForURL(/\/decisions\/meetings\/\d+\/\d+$/), call.locator("button").click()]);
    const rows = t.locator("#roll li");
    const n = await rows.count();
    assert.equal(n, 2, "the roll as named");
    for (let i = 0; i < n; i++) await rows.nth(i).locator("button", { hasText: "签到" }).first().click();
    await t.waitForFunction(() => document.getElementById("sync").textContent.includes("签到均已送达"));
    await t.reload();
    await t.fill("textarea[name=minutes]", "理事长主持，审议年度收益分配方案。");
    await Promise.all([t.waitForNavigation(), t.click("#close button")]);
    await t.fill("input[name=title]", "2026年度收益分配方案");
    await t.selectOption("select[name=matter_kind]", "income_distribution");
    await t.fill("input[name=yes]", "2");
    await t.fill("input[name=no]", "0");
    await Promise.all([t.waitForNavigation(), t.click("form[action$='/items'] button")]);
    assert.match(await t.textContent("table.grid tbody"), /通过/);
    await t.goto(matter);
    await t.fill("textarea[name=evidence]", "成员大会决议");
    await Promise.all([t.waitForNavigation(), t.click("form[action$='/steps'] button")]);
    assert.match(await t.textContent("ol.timeline"), /决议通过/);
    // Bound to its resolution, then paid.
    await t.goto(plan);
    await Promise.all([t.waitForNavigation(), t.click("form[action$='/approval'] button")]);
    assert.match(await t.textContent("p.ok"), /可以发放/);
    const pay = t.locator("form[action$='/payments']");
    await pay.locator("input[name=voucher]").fill("付-001");
    await Promise.all([t.waitForNavigation(), pay.locator("button").click()]);
    assert.match(await t.textContent("p.ok"), /已发放 25920\.00 元/);
    await t.screenshot({ path: `${shots}/52-distribution-paid.png`, fullPage: true });
    await accessible(t, "52-distribution-paid");
    // The household's code, printed once.
    await t.goto(books);
    await Promise.all([t.waitForNavigation(), t.click("form[action$='/codes'] button")]);
    const code = (await t.textContent(".slip .code")).trim();
    assert.match(code, /^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    await t.screenshot({ path: `${shots}/53-household-codes.png`, fullPage: true });
    await accessible(t, "53-household-codes");
    // The household, on its own phone, with no account.
    const home = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: "zh-CN" });
    const h = await home.newPage();
    await h.goto(`${base}/economy/household?county=141029`);
    await h.fill("input[name=code]", code.toLowerCase().replaceAll("-", " "));
    await Promise.all([h.waitForNavigation(), h.click("button[type=submit]")]);
    const mine = await h.textContent("main");
    assert.match(mine, /CG-0001[\s\S]*25920\.00[\s\S]*已全部发放/);
    assert.match(mine, /请求人民法院撤销/);
    await h.screenshot({ path: `${shots}/54-household-statement.png`, fullPage: true });
    await accessible(h, "54-household-statement");
    await home.close();
    // The county's view on a big screen.
    const wide = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: "zh-CN" });
    const w = await signIn(wide, "xianji");
    await w.goto(`${base}/economy`);
    assert.match(await w.textContent("main"), /强村占比[\s\S]*闲置资产/);
    await w.screenshot({ path: `${shots}/55-economy-county.png`, fullPage: true });
    await accessible(w, "55-economy-county");
    // The project library: the secretary adds a workshop, moves it on, records its funding and a
    // milestone; the county sees it in the library.
    await t.goto(`${base}/economy`);
    await Promise.all([t.waitForURL(/\/economy\/projects$/), t.click("a[href='/economy/projects']")]);
    const add = t.locator("form[action='/economy/projects'][method=post]");
    await add.locator("input[name=name]").fill("<b>谷子</b>烘干车间");
    await add.locator("select[name=kind]").selectOption("processing");
    await add.locator("input[name=budget]").fill("1,500,000");
    await Promise.all([t.waitForURL(/\/economy\/projects\/\d+\/\d+$/), add.locator("button").click()]);
    await Promise.all([t.waitForNavigation(), t.click("form[action$='/stage'] button")]);
    assert.match(await t.textContent("p.ok"), /已进入“入库储备”阶段/);
    const fund = t.locator("form[action$='/funding']");
    await fund.locator("select[name=source]").selectOption("central");
    await fund.locator("select[name=kind]").selectOption("sought");
    await fund.locator("input[name=amount]").fill("1000000");
    await Promise.all([t.waitForNavigation(), fund.locator("button").click()]);
    assert.match(await t.textContent("p.ok"), /已记入申请1000000\.00 元（中央衔接资金）/);
    const ms = t.locator("form[action$='/milestones']");
    await ms.locator("input[name=title]").fill("完成可研报告");
    await ms.locator("input[name=due_on]").fill(day(30));
    await Promise.all([t.waitForNavigation(), ms.locator("button").click()]);
    const page56 = await t.textContent("main");
    assert.match(page56, /<b>谷子<\/b>烘干车间|入库储备[\s\S]*中央衔接资金[\s\S]*完成可研报告/);
    await t.screenshot({ path: `${shots}/56-project.png`, fullPage: true });
    await accessible(t, "56-project");
    // The branch's cooperative: a household joins it.
    await t.goto(books);
    await Promise.all([t.waitForURL(/\/economy\/enterprises\/\d+\/\d+$/), t.click("a[href^='/economy/enterprises/']")]);
    const join = t.locator("form[action$='/members']");
    await join.locator("input[name=number]").fill(process.env.XZ_HOUSEHOLD);
    await join.locator("input[name=shares]").fill("2.5");
    await Promise.all([t.waitForNavigation(), join.locator("button").click()]);
    assert.match(await t.textContent("p.ok"), /已入社/);
    await t.screenshot({ path: `${shots}/59-cooperative.png`, fullPage: true });
    await accessible(t, "59-cooperative");
    await w.goto(`${base}/economy/projects`);
    assert.match(await w.textContent("main"), /入库储备[\s\S]*<b>谷子<\/b>烘干车间/);
    await w.screenshot({ path: `${shots}/57-project-library.png`, fullPage: true });
    await accessible(w, "57-project-library");
    await wide.close();
    // The township's year-end plans in one form, on an office screen.
    const office = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" });
    const o = await signIn(office, process.env.XZ_OFFICER);
    await o.goto(`${base}/economy`);
    await Promise.all([o.waitForURL(/\/economy\/distributions\/batch/), o.click("a[href^='/economy/distributions/batch']")]);
    assert.match(await o.textContent("main"), /可分配收益[\s\S]*城关社区/);
    await o.screenshot({ path: `${shots}/58-economy-batch.png`, fullPage: true });
    await accessible(o, "58-economy-batch");
    await office.close();
    assert.deepEqual(errors, [], "no script errors on the economy pages");
    await ctx.close();
  }
  // A village's lists this month, open to objection: the secretary records one.
  await page.goto(`${base}/points/boards`);
  await page.click("table.grid tbody td:first-child a >> nth=0");
  await page.waitForURL(/\/points\/boards\/\d+\/\d+/);
  await page.screenshot({ path: `${shots}/38-points-board.png`, fullPage: true });
  await accessible(page, "38-points-board");
  // A member's own page: the secretary opens the branch's month, the member's statement, and makes
  // the member's link; the member opens it on their phone and sees their points and stars.
  await page.goto(`${base}/points/members`);
  await page.click("table.grid tbody td:first-child a >> nth=0");
  await page.waitForURL(/\/points\/members\/\d+\/\d+/);
  await page.screenshot({ path: `${shots}/40-points-month.png`, fullPage: true });
  await accessible(page, "40-points-month");
  await page.click("table.grid tbody a >> nth=0");
  await page.waitForURL(/\/points\/statement\/member\/\d+/);
  await page.click("form[action$='/link'] button");
  const link = (await page.textContent("code")).trim();
  assert.match(link, /^\/my\?c=\d{6}-[A-Za-z0-9]{24}$/, "a personal link, shown once");
  await page.screenshot({ path: `${shots}/41-member-link.png`, fullPage: true });
  await accessible(page, "41-member-link");
  const member = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
  const own = await member.newPage();
  await own.goto(`${base}${link}`);
  assert.match(await own.textContent("main"), /积分余额/, "the member's own points");
  await own.screenshot({ path: `${shots}/42-my-points.png`, fullPage: true });
  await accessible(own, "42-my-points");
  await member.close();
  // A rented house and its tenants, masked, on the phone.
  await page.goto(`${base}/rentals`);
  await page.click("table.grid a >> nth=0");
  await page.waitForURL(/\/rentals\/\d+/);
  assert.match(await page.textContent("main"), /赵小兵.*140\*+0017/s, "a tenant, masked");
  await page.screenshot({ path: `${shots}/33-rental.png`, fullPage: true });
  await accessible(page, "33-rental");
  // Import and export, as the village secretary on the phone: a roster made in LibreOffice whose
  // title row sits above the header and whose one bad ID number is named by its cell.
  await page.goto(`${base}/exchange`);
  await page.screenshot({ path: `${shots}/30-exchange.png`, fullPage: true });
  await accessible(page, "30-exchange");
  await page.setInputFiles("input[name=file]", new URL("../rosters/title-row.xlsx", import.meta.url).pathname);
  await Promise.all([page.waitForURL(/\/exchange\/jobs\/\d+\/\d+/), page.click("form[action='/exchange/import'] button")]);
  assert.match(await page.textContent("main"), /F（身份证号码）/, "the bad cell is named as the sheet shows it");
  assert.equal(await page.$("form[action$='/apply']"), null, "a file with errors cannot be applied");
  await page.screenshot({ path: `${shots}/31-import-errors.png`, fullPage: true });
  await accessible(page, "31-import-errors");
  await page.goto(`${base}/cases`);
  await page.click("table.grid a >> nth=0");
  await page.waitForURL(/\/cases\/\d+/);
  await page.screenshot({ path: `${shots}/14-case.png`, fullPage: true });
  await accessible(page, "14-case");
  await page.goto(`${base}/party`);
  await page.click("ul.list a >> nth=0");
  await page.waitForURL(/\/party\/\d+/);
  await page.screenshot({ path: `${shots}/08-party-org.png`, fullPage: true });
  await accessible(page, "08-party-org");

  // English, on the command-centre screen.
  const wall = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const big = await wall.newPage();
  await big.goto(`${base}/login`);
  await big.click("text=English");
  await big.fill("input[name=login]", process.env.XZ_SECRETARY);
  await big.fill("input[name=password]", pw);
  await big.click("button[type=submit]");
  await big.waitForURL(`${base}/`);
  assert.match(await big.textContent("header nav"), /Households/);
  assert.match(await big.textContent("main"), /This week/);
  await big.screenshot({ path: `${shots}/10-home-en-wall.png`, fullPage: true });
  await accessible(big, "10-home-en-wall");
  await big.goto(`${base}/tree`);
  await big.screenshot({ path: `${shots}/10-tree-en-wall.png`, fullPage: true });
  // The statistics on the command-centre screen: large type, no form, refreshing itself.
  await big.goto(`${base}/stats?from=2000-01-01&wall=1`);
  await big.waitForSelector("#by-category svg");
  assert.ok(await big.$(".wall dl.figures"), "the wall layout");
  assert.equal(await big.$("form[action='/stats']"), null, "no form on the wall");
  const figure = await big.$eval(".wall dl.figures dd", (d) => parseFloat(getComputedStyle(d).fontSize));
  assert.ok(figure >= 40, `wall figures are large (${figure}px)`);
  await big.screenshot({ path: `${shots}/17b-stats-wall.png` });
  await accessible(big, "17b-stats-wall");

  // A township officer plans the township's alliances on the wall screen: the job's progress, then
  // the map drawn by ECharts, the alliance table and the unplaced villages; no script errors.
  {
    const ctx = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: "zh-CN" });
    const p = await ctx.newPage();
    const errors = [];
    p.on("pageerror", (e) => errors.push(String(e)));
    await p.goto(`${base}/login`);
    await p.fill("input[name=login]", process.env.XZ_OFFICER);
    await p.fill("input[name=password]", pw);
    await p.click("button[type=submit]");
    await p.waitForURL(/\/(search|tree|cases|$)/);
    await p.goto(`${base}/alliances`);
    await p.screenshot({ path: `${shots}/20-alliances-form.png`, fullPage: true });
    await accessible(p, "20-alliances-form");
    await p.click("form.plan-form button[type=submit]");
    await p.waitForURL(/\/alliances\/\d+$/);
    await p.waitForSelector("#alliance-map canvas", { timeout: 30000 });
    const rows = await p.$$eval("table.grid tbody tr", (r) => r.length);
    assert.ok(rows >= 3, `the plan shows its alliances (${rows} rows)`);
    assert.match(await p.textContent("main"), /牵头村/);
    assert.deepEqual(errors, [], "no script errors on the alliance page");
    await p.screenshot({ path: `${shots}/21-alliance-plan.png`, fullPage: true });
    await accessible(p, "21-alliance-plan");
    await ctx.close();
  }

  // The morning walk of a case from a resident to the grid and back (issue 17): a resident on a
  // phone reports to a group and micro-grid through the place picker; the village secretary
  // accepts it from the home page and gives it to the grid worker; the grid worker finds it on
  // their home page, resolves it with a note for the resident; the resident reads that note.
  {
    const login = signIn;
    const residentCtx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
    const r = await residentCtx.newPage();
    await r.goto(`${base}/report?county=141029`);
    await r.selectOption("select[name=category]", "road");
    await r.selectOption("form.step select:not([name])", { label: "昌宁镇 · 城关社区" });
    const group = r.locator(".places-level", { hasText: "村民小组" }).locator("select");
    await group.selectOption({ label: "第一村民小组" });
    const micro = r.locator(".places-level", { hasText: "微网格" }).locator("select");
    await micro.selectOption({ label: "一组1号微网格" });
    assert.match(await r.textContent(".places-status"), /一组1号微网格/);
    const what = "幸福街路口雨后积水成坑，老人出门要绕路";
    await r.fill("textarea[name=description]", what);
    await r.fill("input[name=name]", "赵桂香");
    await r.fill("input[name=phone]", "13935712345");
    await r.screenshot({ path: `${shots}/22-report-picker.png`, fullPage: true });
    await accessible(r, "22-report-picker");
    await r.click("form.step button[type=submit]");
    await r.waitForURL(/\/report\/track\?/);
    const caseId = (await r.textContent("dd.big >> nth=0")).trim();
    const trackUrl = r.url();
    await r.screenshot({ path: `${shots}/23-track-fresh.png`, fullPage: true });
    await accessible(r, "23-track-fresh");

    // The village secretary, on a phone: home page → the waiting case → accept, then assign.
    const secCtx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
    const sec = await login(secCtx, process.env.XZ_SECRETARY);
    await sec.click(`.todo a[href="/cases/${caseId}"]`);
    await sec.waitForURL(new RegExp(`/cases/${caseId}$`));
    assert.match(await sec.textContent("main"), /第一村民小组/, "the case names its group");
    await sec.selectOption("select[name=action]", "accept");
    await submitStep(sec);
    await sec.selectOption("select[name=action]", "assign");
    await sec.selectOption("select[name=handler]", { label: "王网格（网格员）" });
    await sec.fill("textarea[name=note]", "请今天去看一下");
    await submitStep(sec);
    assert.match(await sec.textContent("ol.timeline"), /派单 给 王网格（网格员）/);
    await sec.screenshot({ path: `${shots}/24-secretary-assigns.png`, fullPage: true });
    await accessible(sec, "24-secretary-assigns");
    await secCtx.close();

    // The grid worker, on a small phone: the case is on their home page; start, then resolve
    // with a note for the resident.
    const gwCtx = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: "zh-CN" });
    const gw = await login(gwCtx, process.env.XZ_GRID_WORKER);
    await gw.screenshot({ path: `${shots}/25-grid-worker-home.png`, fullPage: true });
    await accessible(gw, "25-grid-worker-home");
    await gw.click(`.todo a[href="/cases/${caseId}"]`);
    await gw.waitForURL(new RegExp(`/cases/${caseId}$`));
    await gw.selectOption("select[name=action]", "start");
    await submitStep(gw);
    await gw.selectOption("select[name=action]", "resolve");
    await gw.fill("textarea[name=note]", "已用碎石填平积水坑，恢复通行");
    await gw.check("form[action$='/step'] input[name=public]");
    await submitStep(gw);
    assert.match(await gw.textContent("ol.timeline"), /群众可见/);
    await gw.screenshot({ path: `${shots}/26-grid-worker-resolved.png`, fullPage: true });
    await accessible(gw, "26-grid-worker-resolved");
    await gwCtx.close();

    // The resident reads what was done, then confirms it.
    await r.goto(trackUrl.replace("&fresh=1", ""));
    assert.match(await r.textContent("ol.timeline"), /已用碎石填平积水坑/);
    assert.doesNotMatch(await r.textContent("main"), /请今天去看一下/, "internal notes stay inside");
    await r.screenshot({ path: `${shots}/27-track-resolved.png`, fullPage: true });
    await accessible(r, "27-track-resolved");
    await Promise.all([r.waitForNavigation(), r.click("button[value=confirm]")]);
    assert.match(await r.textContent("main"), /群众已确认/);
    await residentCtx.close();

    // The secretary at a desk files a case from the console with the place picker.
    const deskCtx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" });
    const desk = await login(deskCtx, process.env.XZ_SECRETARY);
    await desk.click("nav.quick a[href='/cases/new']");
    await desk.waitForURL(/\/cases\/new$/);
    await desk.locator(".places-level", { hasText: "村民小组" }).locator("select").selectOption({ label: "第一村民小组" });
    assert.equal(await desk.inputValue("input[name=division_code]"), "141029100001001");
    await desk.selectOption("select[name=category]", "road");
    await desk.fill("textarea[name=description]", "村委会门前路灯不亮");
    await desk.screenshot({ path: `${shots}/28-case-new.png`, fullPage: true });
    await accessible(desk, "28-case-new");
    await desk.click("form.step button[type=submit]");
    await desk.waitForURL(/\/cases\/\d+$/);
    assert.match(await desk.textContent("main"), /村委会门前路灯不亮/);
    await deskCtx.close();
  }

  // The township officer's morning at a desk: a village's case waiting on the home page,
  // supervised (督办) from its page; the county administrator's on a phone: the same list,
  // and the case accepted at the county.
  for (const [who, viewport, action, done, shot] of [
    [process.env.XZ_OFFICER, { width: 1280, height: 900 }, "supervise", /督办/, "32-officer-supervises"],
    [process.env.XZ_ADMIN, { width: 390, height: 844 }, "accept", /受理/, "33-admin-accepts"],
  ]) {
    const ctx = await browser.newContext({ viewport, locale: "zh-CN" });
    const p = await signIn(ctx, who);
    await p.screenshot({ path: `${shots}/${shot}-home.png`, fullPage: true });
    await accessible(p, `${shot}-home`);
    const first = p.locator(".card", { hasText: "待受理、待派单" }).locator(".todo-list a").first();
    const href = await first.getAttribute("href");
    await first.click();
    await p.waitForURL(new RegExp(`${href}$`));
    await p.selectOption("select[name=action]", action);
    await p.fill("textarea[name=note]", "请加快办理");
    await submitStep(p);
    const last = await p.textContent("ol.timeline li:last-child");
    assert.match(last, done, `${who} took the step: ${last}`);
    await p.screenshot({ path: `${shots}/${shot}.png`, fullPage: true });
    await accessible(p, shot);
    await ctx.close();
  }

  // The security administrator manages accounts and cannot read residents.
  for (const [who, path, name] of [[process.env.XZ_SECURITY, "/users", "11-users"], [process.env.XZ_AUDITOR, "/audit", "12-audit"]]) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Each role lands on its own home page, with what it may do.
    const p = await signIn(ctx, who);
    await p.screenshot({ path: `${shots}/${name}-home.png`, fullPage: true });
    await accessible(p, `${name}-home`);
    await p.goto(`${base}${path}`);
    await p.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
    await accessible(p, name);
    if (path === "/users") {
      // A privileged account is only requested: it waits for a second administrator.
      await p.fill("form[action='/users'] input[name=login]", "xinshenji");
      await p.fill("form[action='/users'] input[name=display_name]", "新审计员");
      await p.selectOption("form[action='/users'] select[name=role]", "auditor");
      await p.fill("form[action='/users'] input[name=division_code]", "141029000000");
      await p.fill("form[action='/users'] input[name=password]", "Shenji-New-2026");
      await p.click("form[action='/users'] button[type=submit]");
      await p.waitForSelector("p.ok");
      assert.match(await p.textContent("p.ok"), /须由另一位管理员批准/);
      assert.match(await p.textContent("table.requests"), /新审计员.*审计员.*待批准/s);
      assert.match(await p.textContent("table.requests"), /等待另一位管理员/, "the requester cannot approve it");
      await p.screenshot({ path: `${shots}/11b-users-request.png`, fullPage: true });
      // Accounts from a file: created at once, initial passwords shown this once.
      await p.goto(`${base}/users/bulk`);
      await p.screenshot({ path: `${shots}/11c-users-bulk.png`, fullPage: true });
      await accessible(p, "11c-users-bulk");
      const file = `${shots}/../accounts.csv`;
      writeFileSync(file, "登录名,姓名,角色,管辖区划,网格编码\npiliang01,批量甲,乡镇干部,141029000000,\npiliang02,批量乙,审计员,141029000000,\n");
      await p.setInputFiles("input[name=file]", file);
      await Promise.all([p.waitForNavigation(), p.click("form[action='/users/bulk'] button")]);
      assert.match(await p.textContent("main"), /只显示这一次/);
      assert.equal(await p.locator("table.grid code").count(), 2, "two initial passwords");
      await p.screenshot({ path: `${shots}/11d-users-bulk-done.png`, fullPage: true });
      await accessible(p, "11d-users-bulk-done");
    }
    const r = await p.goto(`${base}/search`);
    assert.equal(r.status(), 403, `${who} may not search residents`);
    await ctx.close();
  }
  // A grid worker in a mountain village files a case with no signal, on a small old phone.
  const field = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: "zh-CN" });
  const m = await field.newPage();
  await m.goto(`${base}/login?next=/m/`);
  await m.fill("input[name=login]", process.env.XZ_GRID_WORKER);
  await m.fill("input[name=password]", pw);
  await m.click("button[type=submit]");
  await m.waitForURL(/\/m\/$/);
  // The first load's weight: everything the page fetched (page, script, service worker).
  let weight = 0;
  const counting = (r) => r.body().then((b) => { weight += b.length; }, () => {});
  m.on("response", counting);
  await m.reload();
  await m.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await m.waitForTimeout(300);
  m.off("response", counting);
  assert.ok(weight > 0 && weight < 150 * 1024, `first load ${weight} bytes, under 150 KB`);
  console.log(`mobile page first load: ${weight} bytes`);

  const what = "山体滑坡：进村道路被埋一段（无信号时上报）";
  await field.setOffline(true);
  await m.selectOption("select[name=category]", "road");
  await m.fill("textarea[name=description]", what);
  // A photo of the spot, taken on the phone (a small PNG; the page re-encodes it as JPEG).
  const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg==", "base64");
  await m.setInputFiles("input[name=photo]", { name: "slide.png", mimeType: "image/png", buffer: png });
  await m.click("#report button[type=submit]");
  await m.waitForFunction(() => document.getElementById("waiting-count").textContent === "1");
  assert.match(await m.textContent("#waiting"), /山体滑坡/);
  await m.screenshot({ path: `${shots}/15-mobile-offline.png`, fullPage: true });
  // Still no signal: the page opens from the phone and the report is still waiting.
  await m.reload();
  await m.waitForFunction(() => document.getElementById("waiting-count").textContent === "1");

  // The signal returns, but the first answer is lost on the way back: the server has the case and
  // the phone does not know, so it sends again with the same key.
  let posts = 0;
  await m.route("**/api/v1/cases", async (route) => {
    posts += 1;
    if (posts === 1) {
      await route.fetch();
      await route.abort("connectionreset");
    } else {
      await route.continue();
    }
  });
  await field.setOffline(false);
  await m.waitForFunction(() => document.querySelectorAll("#sent li[data-key]").length === 1, null, { timeout: 60000 });
  assert.equal(await m.textContent("#waiting-count"), "0");
  assert.ok(posts >= 2, `the report was sent again after the lost answer (${posts} sends)`);
  await m.screenshot({ path: `${shots}/16-mobile-sent.png`, fullPage: true });
  await accessible(m, "16-mobile-sent");
  const found = await (await m.request.get(`${base}/api/v1/cases?q=${encodeURIComponent("山体滑坡")}`)).json();
  assert.equal(found.items.length, 1, "the case exists exactly once");
  const files = await (await m.request.get(`${base}/api/v1/cases/${found.items[0].id}/files`)).json();
  assert.equal(files.length, 1, "its photo arrived, once");
  assert.equal(files[0].content_type, "image/jpeg");
  await field.close();

  console.log(`browser test passed; screenshots in ${shots}`);
  assert.deepEqual(violations, [], "axe-core finds no critical or serious violation on any page");
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
