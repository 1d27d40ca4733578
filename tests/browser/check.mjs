// Browser check of the comparison report (tests/browser/run.sh runs it).
//
//   node tests/browser/check.mjs --html REPORT.html --json compare.json \
//        --png OUT.png [--docs-png DOCS.png] [--tiles PREFIX] [--chromium /usr/bin/chromium]
//
// Starts Debian's chromium headless and drives it over the DevTools
// protocol on a pipe (--remote-debugging-pipe: no port, no npm package, no
// downloaded browser). Checks: no console errors, no uncaught exceptions,
// no network request other than the file itself, the key figures of
// compare.json in the rendered page, one chart per section, the sortable
// tables sort; saves a full-page screenshot (and optionally a smaller one
// of the top of the page for the docs). Prints "ok"/"not ok" lines and
// "N passed, N failed"; exits 1 when anything failed.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
const html = resolve(args.html);
const data = JSON.parse(readFileSync(args.json, "utf8"));
const chromiumPath = args.chromium || "/usr/bin/chromium";

let passed = 0, failed = 0;
function check(ok, what, detail) {
  if (ok) { passed++; console.log(`ok - ${what}`); }
  else { failed++; console.log(`not ok - ${what}${detail ? ": " + detail : ""}`); }
}

// {===== a minimal DevTools-protocol client over chromium's pipe (fd 3 in, fd 4 out)

const profile = mkdtempSync(join(tmpdir(), "cni-chromium-"));
const chrome = spawn(chromiumPath, [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  "--disable-extensions", "--hide-scrollbars", "--mute-audio", "--font-render-hinting=none",
  `--user-data-dir=${profile}`, "--remote-debugging-pipe", "about:blank",
], { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] });
let chromeErr = "";
chrome.stderr.on("data", (d) => { chromeErr += d; });
const toChrome = chrome.stdio[3], fromChrome = chrome.stdio[4];

let nextId = 1;
const pending = new Map();
const listeners = [];
let buffer = Buffer.alloc(0);
fromChrome.on("data", (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  let end;
  while ((end = buffer.indexOf(0)) !== -1) {
    const msg = JSON.parse(buffer.subarray(0, end).toString("utf8"));
    buffer = buffer.subarray(end + 1);
    if (msg.id !== undefined && pending.has(msg.id)) {
      const { res, rej, method } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) rej(new Error(`${method}: ${msg.error.message}`)); else res(msg.result);
    } else if (msg.method) {
      for (const l of listeners) l(msg);
    }
  }
});
function send(method, params = {}, sessionId) {
  const id = nextId++;
  const msg = { id, method, params };
  if (sessionId) msg.sessionId = sessionId;
  return new Promise((res, rej) => {
    pending.set(id, { res, rej, method });
    toChrome.write(JSON.stringify(msg) + "\0");
  });
}
function waitFor(method, sessionId, ms = 30000) {
  return new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error(`timeout waiting for ${method}`)), ms);
    listeners.push(function l(msg) {
      if (msg.method === method && msg.sessionId === sessionId) {
        clearTimeout(t);
        listeners.splice(listeners.indexOf(l), 1);
        res(msg.params);
      }
    });
  });
}

// }=====

const problems = [];     // console errors, exceptions, error log entries
const requests = [];     // every URL the page asked for
listeners.push((msg) => {
  const p = msg.params || {};
  if (msg.method === "Runtime.consoleAPICalled" && (p.type === "error" || p.type === "assert")) {
    problems.push(`console.${p.type}: ` + (p.args || []).map((a) => a.value ?? a.description ?? "").join(" "));
  } else if (msg.method === "Runtime.exceptionThrown") {
    const d = p.exceptionDetails || {};
    problems.push(`exception: ${d.text} ${(d.exception && d.exception.description) || ""}`.trim());
  } else if (msg.method === "Log.entryAdded" && p.entry && p.entry.level === "error") {
    problems.push(`log (${p.entry.source}): ${p.entry.text} ${p.entry.url || ""}`.trim());
  } else if (msg.method === "Network.requestWillBeSent") {
    requests.push(p.request.url);
  }
});

async function main() {
  const killer = setTimeout(() => { console.log("not ok - timed out after 90 s"); process.exit(1); }, 90000);
  const { targetId } = await send("Target.createTarget", { url: "about:blank" });
  const { sessionId: s } = await send("Target.attachToTarget", { targetId, flatten: true });
  await send("Page.enable", {}, s);
  await send("Runtime.enable", {}, s);
  await send("Log.enable", {}, s);
  await send("Network.enable", {}, s);
  await send("Emulation.setDeviceMetricsOverride", { width: 1280, height: 1000, deviceScaleFactor: 1, mobile: false }, s);
  const loaded = waitFor("Page.loadEventFired", s);
  const url = pathToFileURL(html).href;
  await send("Page.navigate", { url }, s);
  await loaded;
  const evaluate = async (expr) => {
    const r = await send("Runtime.evaluate", { expression: expr, returnByValue: true, awaitPromise: true }, s);
    if (r.exceptionDetails) throw new Error("evaluate: " + r.exceptionDetails.text);
    return r.result.value;
  };
  // let the page settle (fonts, layout)
  await evaluate("document.fonts ? document.fonts.ready.then(() => true) : true");
  await evaluate("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))");

  // ---- page facts
  const page = await evaluate(`(() => {
    const rows = {};
    document.querySelectorAll("#summary-table tbody tr").forEach((tr) => {
      const cells = {};
      tr.querySelectorAll("td[data-k]").forEach((td) => { cells[td.dataset.k] = td.textContent.trim(); });
      rows[tr.dataset.variant] = cells;
    });
    const svgs = Array.from(document.querySelectorAll("svg"));
    return {
      title: document.title,
      text: document.body.innerText,
      rows,
      svgs: svgs.length,
      untitled: svgs.filter((g) => !g.querySelector(":scope > title")).length,
      empty: svgs.filter((g) => { const b = g.getBoundingClientRect(); return b.width < 50 || b.height < 50; }).length,
      externalScripts: document.querySelectorAll("script[src]").length,
      links: document.querySelectorAll("link[rel=stylesheet], img[src^=http], iframe").length,
      scatters: document.querySelectorAll("svg[aria-labelledby^=scatter-]").length,
      hists: document.querySelectorAll("svg[aria-labelledby^=hist-]").length,
      heatmaps: document.querySelectorAll("svg[aria-labelledby^=sweep-]").length,
      overlap: document.querySelectorAll("svg[aria-labelledby=overlap-t]").length,
      regions: document.querySelectorAll("svg[aria-labelledby=regions-t]").length,
      sortable: document.querySelectorAll("table.sortable th button").length,
      synthetic: !!document.querySelector(".synthetic"),
      footer: (document.querySelector("footer") || {}).innerText || "",
    };
  })()`);

  check(problems.length === 0, "no console errors or exceptions", problems.join(" | "));
  const foreign = requests.filter((u) => u !== url && !u.startsWith("data:"));
  check(foreign.length === 0, "no network requests besides the report itself", foreign.join(", "));
  check(page.externalScripts === 0 && page.links === 0, "no external scripts, stylesheets or images");
  check(page.untitled === 0, `every chart has a title (${page.svgs} svg)`, `${page.untitled} without <title>`);
  check(page.empty === 0, "every chart is rendered with a size", `${page.empty} charts smaller than 50 px`);

  // key figures from compare.json
  const sig3 = (x) => String(Number(Number(x).toPrecision(3)));
  const base = data.base;
  check(page.rows["0"] && page.rows["0"].flagged === String(base.flagged),
    `base flagged count ${base.flagged} in the summary table`, JSON.stringify(page.rows["0"]));
  check(page.text.includes(`${base.flagged} flagged`), "base flagged count in the header");
  data.variants.forEach((v, k) => {
    const row = page.rows[String(k + 1)] || {};
    check(row.flagged === String(v.flagged), `variant ${k + 1} (${v.label}): flagged ${v.flagged}`, `page: ${row.flagged}`);
    check(row.jaccard === sig3(v.jaccard), `variant ${k + 1}: Jaccard ${sig3(v.jaccard)}`, `page: ${row.jaccard}`);
    check(row.both === String(v.both) && row.only_base === String(v.only_base) && row.only_variant === String(v.only_variant),
      `variant ${k + 1}: overlap ${v.both} / ${v.only_base} / ${v.only_variant}`, JSON.stringify(row));
    check(page.text.includes(v.label), `variant ${k + 1}: label shown`);
  });
  const ranked = data.variants.filter((v) => v.spearman !== undefined).length;
  check(page.scatters === ranked && page.hists === ranked, `a rank scatter and a histogram per ranked variant (${ranked})`,
    `scatters ${page.scatters}, histograms ${page.hists}`);
  check(page.overlap === 1, "overlap chart");
  check(page.regions === 1 || !data.variants[0].by_region, "regional bar chart");
  check(page.heatmaps === (data.sweep ? 2 : 0), "threshold sweep heatmaps", `${page.heatmaps}`);
  check(page.synthetic === !!base.synthetic, `synthetic banner ${base.synthetic ? "shown" : "absent"}`);
  check(/cnilua \d+\.\d+\.\d+/.test(page.footer) && /[0-9a-f]{64}/.test(page.footer),
    "footer: cnilua version and SHA-256 hashes");

  // ---- screenshots
  await evaluate("window.scrollTo(0, 0)");
  const m = await send("Page.getLayoutMetrics", {}, s);
  const H = Math.ceil((m.cssContentSize || m.contentSize).height);
  const shot = await send("Page.captureScreenshot", {
    format: "png", captureBeyondViewport: true, clip: { x: 0, y: 0, width: 1280, height: H, scale: 1 },
  }, s);
  writeFileSync(args.png, Buffer.from(shot.data, "base64"));
  console.log(`# screenshot ${args.png} (1280x${H})`);
  if (args.tiles) {
    // for looking at the page: PREFIX-01.png, ... of 1280x1000 each
    for (let y = 0, k = 1; y < H; y += 1000, k++) {
      const t = await send("Page.captureScreenshot", {
        format: "png", captureBeyondViewport: true, clip: { x: 0, y, width: 1280, height: Math.min(1000, H - y), scale: 1 },
      }, s);
      writeFileSync(`${args.tiles}-${String(k).padStart(2, "0")}.png`, Buffer.from(t.data, "base64"));
    }
  }
  if (args["docs-png"]) {
    // the top of the page (header, summary, overlap, regions) at 80%
    const top = await evaluate(`(() => { const e = document.querySelector("#variant-1 .charts") || document.querySelector("#regions");
      const r = e.getBoundingClientRect(); return Math.ceil(r.bottom + window.scrollY + 8); })()`);
    const shot2 = await send("Page.captureScreenshot", {
      format: "png", captureBeyondViewport: true, clip: { x: 0, y: 0, width: 1280, height: Math.min(top, H), scale: 0.7 },
    }, s);
    writeFileSync(args["docs-png"], Buffer.from(shot2.data, "base64"));
    console.log(`# docs screenshot ${args["docs-png"]}`);
  }
  // the tables sort (after the screenshots, which show the default order): sort the first movers table by base rank, descending
  const sorted = await evaluate(`(() => {
    const t = document.querySelector("table.movers");
    if (!t) return "no table";
    const ths = Array.from(t.tHead.rows[0].cells);
    const c = ths.findIndex((th) => th.textContent.startsWith("Base rank"));
    if (c < 0) return "no base rank column";
    const b = ths[c].querySelector("button");
    b.click(); b.click();
    const v = Array.from(t.tBodies[0].rows).map((r) => parseFloat(r.cells[c].textContent));
    for (let i = 1; i < v.length; i++) if (v[i] > v[i - 1]) return "not descending at row " + i;
    b.click();
    const w = Array.from(t.tBodies[0].rows).map((r) => parseFloat(r.cells[c].textContent));
    for (let i = 1; i < w.length; i++) if (w[i] < w[i - 1]) return "not ascending at row " + i;
    return "ok";
  })()`);
  check(sorted === "ok", `entering/leaving table sorts (${page.sortable} sortable columns)`, sorted);
  check(problems.length === 0, "still no console errors after sorting", problems.join(" | "));

  clearTimeout(killer);
}

let status = 0;
try {
  await main();
} catch (e) {
  check(false, "browser session", e.message + (chromeErr ? "\n" + chromeErr.slice(-2000) : ""));
}
try {
  await Promise.race([send("Browser.close"), new Promise((r) => setTimeout(r, 3000))]);
} catch { /* already gone */ }
await new Promise((r) => {
  if (chrome.exitCode !== null || chrome.signalCode !== null) return r();
  const t = setTimeout(() => { chrome.kill("SIGKILL"); r(); }, 5000);
  chrome.once("exit", () => { clearTimeout(t); r(); });
  chrome.kill();
});
try { rmSync(profile, { recursive: true, force: true, maxRetries: 5 }); } catch { /* a temp dir left behind */ }
console.log(`${passed} passed, ${failed} failed`);
status = failed > 0 ? 1 : 0;
process.exit(status);
