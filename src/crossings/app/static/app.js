// The app's front end: a form built from the scenario's levers, a job submitted to the server, its progress
// polled, then the fan chart (server-built SVG) and the downloads. No library, nothing fetched from outside.
"use strict";
const $ = (id) => document.getElementById(id);
let current = null;   // the scenario's description from /api/scenarios/NAME
let jobId = null;

async function getJSON(url, opts) {
  const r = await fetch(url, opts);
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || body.detail || r.statusText);
  return body;
}

function showError(text) {
  const e = $("error");
  e.textContent = text || "";
  e.hidden = !text;
}

function leverBox(lv) {
  const box = document.createElement("div");
  box.className = "lever";
  box.dataset.key = lv.key;
  const on = document.createElement("label");
  const cb = document.createElement("input");
  cb.type = "checkbox"; cb.checked = lv.enabled; cb.dataset.key = lv.key + ".enabled";
  cb.dataset.default = String(lv.enabled); cb.className = "switch";
  on.append(cb, ` ${lv.name} `);
  const kind = document.createElement("span"); kind.className = "note"; kind.textContent = `(${lv.type})`;
  on.append(kind);
  box.append(on);
  const fields = document.createElement("div"); fields.className = "fields";
  for (const f of lv.fields) {
    const l = document.createElement("label");
    const inp = document.createElement("input");
    inp.type = "text"; inp.value = f.value; inp.dataset.key = f.key; inp.dataset.default = f.value;
    inp.name = f.key; inp.className = "field";
    l.append(`${f.name} `, inp);
    fields.append(l);
  }
  box.append(fields);
  return box;
}

async function loadScenario(name) {
  showError("");
  current = await getJSON(`/api/scenarios/${encodeURIComponent(name)}`);
  $("description").textContent = current.description;
  $("start").value = current.start; $("end").value = current.end;
  $("seeds").max = current.max_seeds;
  const box = $("levers");
  box.querySelectorAll(".lever, .none").forEach((n) => n.remove());
  if (!current.levers.length) {
    const p = document.createElement("p"); p.className = "none note"; p.textContent = "This scenario has no levers.";
    box.append(p);
  }
  for (const lv of current.levers) box.append(leverBox(lv));
}

// Only what the person changed becomes a --set item, so the scenario's own values stay as shipped.
function settings() {
  const sets = [];
  document.querySelectorAll("#levers input.switch").forEach((cb) => {
    if (String(cb.checked) !== cb.dataset.default) sets.push(`${cb.dataset.key}=${cb.checked}`);
  });
  document.querySelectorAll("#levers input.field").forEach((inp) => {
    if (inp.value.trim() !== inp.dataset.default) sets.push(`${inp.dataset.key}=${inp.value.trim()}`);
  });
  for (const line of $("extra").value.split("\n")) if (line.trim()) sets.push(line.trim());
  const body = { scenario: $("scenario").value, sets, seeds: Number($("seeds").value),
                 first_seed: Number($("first_seed").value) };
  if (current && $("start").value !== current.start) body.start = $("start").value;
  if (current && $("end").value !== current.end) body.end = $("end").value;
  return body;
}

async function run(ev) {
  ev.preventDefault();
  showError("");
  $("run").disabled = true;
  try {
    const job = await getJSON("/api/jobs", { method: "POST", headers: { "Content-Type": "application/json" },
                                             body: JSON.stringify(settings()) });
    jobId = job.id;
    $("results").hidden = true;
    $("progress-box").hidden = false;
    await poll(job.id);
  } catch (err) {
    showError(err.message);
  } finally {
    $("run").disabled = false;
  }
}

async function poll(id) {
  for (;;) {
    const s = await getJSON(`/api/jobs/${id}`);
    $("progress").max = s.total; $("progress").value = s.done;
    $("progress-text").textContent = `${s.done} of ${s.total} seeds (${s.state})`;
    if (s.state === "failed") { $("progress-box").hidden = true; throw new Error(s.error); }
    if (s.state === "done") { $("progress-box").hidden = true; await showResults(s); return; }
    await new Promise((r) => setTimeout(r, 400));
  }
}

async function showResults(s) {
  $("headlines").replaceChildren(...(s.headlines.length ? s.headlines : ["The levers change none of the headline measures in this window."]).map((t) => {
    const p = document.createElement("p"); p.textContent = t; return p; }));
  const sel = $("chart-choice");
  const keep = sel.value;
  sel.replaceChildren(...s.charts.map((c) => {
    const o = document.createElement("option"); o.value = `${c.place}|${c.measure}`;
    o.textContent = `${c.place}: ${c.measure}`; return o; }));
  if ([...sel.options].some((o) => o.value === keep)) sel.value = keep;
  for (const [id, name] of [["dl-csv", "bands.csv"], ["dl-effect", "effect.csv"], ["dl-xlsx", "results.xlsx"],
                            ["dl-html", "report.html"]]) $(id).href = `/api/jobs/${s.id}/files/${name}`;
  $("results").hidden = false;
  await drawChart();
}

async function drawChart() {
  const [place, measure] = $("chart-choice").value.split("|");
  const r = await fetch(`/api/jobs/${jobId}/chart.svg?place=${encodeURIComponent(place)}&measure=${encodeURIComponent(measure)}`);
  $("chart").innerHTML = await r.text();  // server-built SVG from our own job's numbers
  $("chart").dataset.job = jobId;
}

async function init() {
  const list = await getJSON("/api/scenarios");
  $("scenario").replaceChildren(...list.map((s) => {
    const o = document.createElement("option"); o.value = s.name; o.textContent = s.name; return o; }));
  const wanted = new URLSearchParams(location.search).get("scenario");
  if (wanted && list.some((s) => s.name === wanted)) $("scenario").value = wanted;
  await loadScenario($("scenario").value);
  $("scenario").addEventListener("change", () => loadScenario($("scenario").value).catch((e) => showError(e.message)));
  $("chart-choice").addEventListener("change", () => drawChart());
  $("settings").addEventListener("submit", run);
  document.body.dataset.ready = "1";
}

init().catch((err) => showError(err.message));
