// report_drive.js — drives a report page in headless Chromium as a reader would, over the
// DevTools protocol on a pipe (--remote-debugging-pipe: no port, no npm package), and prints
// what it saw, one "key<TAB>value" line per step, for tests/test_report.c to check against the
// report's data files.
//
//   node report_drive.js CHROMIUM PAGE_URL STEPS_JSON [SHOT_DIR]
//
// STEPS_JSON: a list of steps, each one of
//   {"do": "open", "width": 1400, "height": 900}   load the page; prints load_ms (navigation start
//                                                     to the load event), fcp_ms (to the first
//                                                     contentful paint), the page's scroll width,
//                                                     the top of #findings, data-script
//   {"do": "select", "model": NAME}                  choose NAME in the model selector (a change
//                                                     event, as a click would); prints shown
//   {"do": "drawn", "model": NAME, "key": K}         prints K<TAB>how many of NAME's figures are drawn
//   {"do": "hover", "sel": CSS, "key": K}            move the mouse to the centre of the element;
//                                                     prints K<TAB>the text of the readout or of
//                                                     plotly's hover label that appeared
//   {"do": "hoverpoint", "sel": CSS, "trace": t, "point": j, "key": K}
//                                                     the same on point j of trace t of a plotly
//                                                     figure (its pixel position from the figure's axes);
//                                                     "px", "py" instead of "point": x[px], y[py] (a heatmap cell)
//   {"do": "legend", "sel": CSS, "item": i, "key": K} click legend entry i of a plotly figure;
//                                                     prints K<TAB>the visible state of its trace
//   {"do": "eval", "expr": JS, "key": K}             prints K<TAB>JSON of the value
//   {"do": "shot", "file": NAME}                     the viewport as SHOT_DIR/NAME (PNG)
'use strict';
const {spawn} = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [chrome, url, stepsJson, shotDir] = process.argv.slice(2);
const steps = JSON.parse(stepsJson);
const prof = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-drive-'));
const proc = spawn(chrome, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                            '--disable-background-networking', '--disable-component-update', '--disable-sync',
                            '--hide-scrollbars', '--remote-debugging-pipe', '--user-data-dir=' + prof, 'about:blank'],
                   {stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe']});
let stderr = '';
proc.stderr.on('data', (d) => { stderr += d; });
const out = proc.stdio[3], inp = proc.stdio[4];
let id = 0, buf = '';
const waiting = new Map(), listeners = [];
inp.on('data', (d) => {
  buf += d.toString('utf8');
  let z;
  while ((z = buf.indexOf('\0')) >= 0) {
    const msg = JSON.parse(buf.slice(0, z));
    buf = buf.slice(z + 1);
    if (msg.id && waiting.has(msg.id)) {
      const w = waiting.get(msg.id);
      waiting.delete(msg.id);
      if (msg.error) w.reject(new Error(JSON.stringify(msg.error))); else w.resolve(msg.result);
    } else if (msg.method) listeners.forEach((l) => l(msg));
  }
});
let session = null;
function send(method, params, noSession) {
  const m = {id: ++id, method: method, params: params || {}};
  if (session && !noSession) m.sessionId = session;
  return new Promise((resolve, reject) => {
    waiting.set(m.id, {resolve, reject});
    out.write(JSON.stringify(m) + '\0');
  });
}
function event(name, ms) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout waiting for ' + name)), ms || 60000);
    listeners.push(function l(msg) {
      if (msg.method === name) { clearTimeout(t); listeners.splice(listeners.indexOf(l), 1); resolve(msg.params); }
    });
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function evaluate(expr) {
  const r = await send('Runtime.evaluate', {expression: expr, returnByValue: true, awaitPromise: true});
  if (r.exceptionDetails) throw new Error('page: ' + JSON.stringify(r.exceptionDetails).slice(0, 400));
  return r.result.value;
}
function say(k, v) { process.stdout.write(k + '\t' + (typeof v === 'string' ? v : JSON.stringify(v)) + '\n'); }
async function mouse(x, y, click) {
  await send('Input.dispatchMouseEvent', {type: 'mouseMoved', x: x, y: y});
  if (click) {
    await send('Input.dispatchMouseEvent', {type: 'mousePressed', x: x, y: y, button: 'left', clickCount: 1});
    await send('Input.dispatchMouseEvent', {type: 'mouseReleased', x: x, y: y, button: 'left', clickCount: 1});
  }
  await sleep(150);
}
/* scrolls el into the middle of the viewport; its centre (or the point given) in viewport pixels;
 * a plotly figure (extra given) once the page has drawn it (it draws figures as they come near
 * the window), at most 20 s */
async function centre(sel, extra) {
  const q = 'document.querySelector(' + JSON.stringify(sel) + ')';
  if (!await evaluate('(function(){var e=' + q + ';if(!e)return false;e.scrollIntoView({block:"center"});return true;})()')) return null;
  if (extra)
    await evaluate('new Promise(function(ok){var n=0;(function w(){var e=' + q + ';if((e._fullLayout&&e.querySelector(".main-svg"))||n++>200)' +
                   'setTimeout(ok,200);else setTimeout(w,100);})();})');
  return evaluate('(function(){var e=' + q + ';e.scrollIntoView({block:"center"});var r=e.getBoundingClientRect();' +
                  (extra || 'return [r.left+r.width/2,r.top+r.height/2];') + '})()');
}

async function main() {
  const targets = await send('Target.getTargets', {}, true);
  const page = targets.targetInfos.find((t) => t.type === 'page');
  session = (await send('Target.attachToTarget', {targetId: page.targetId, flatten: true}, true)).sessionId;
  await send('Page.enable');
  await send('Runtime.enable');
  const errors = [];
  listeners.push((m) => { if (m.method === 'Runtime.exceptionThrown') errors.push(m.params.exceptionDetails.text); });
  for (const s of steps) {
    if (s.do === 'open') {
      await send('Emulation.setDeviceMetricsOverride', {width: s.width, height: s.height, deviceScaleFactor: 1, mobile: false});
      const loaded = event('Page.loadEventFired');
      await send('Page.navigate', {url: url});
      await loaded;
      await sleep(300);
      say('load_ms', await evaluate('(function(){var t=performance.getEntriesByType("navigation")[0];return Math.round(t.loadEventStart);})()'));
      say('fcp_ms', await evaluate('(function(){var p=performance.getEntriesByType("paint").filter(function(e){return e.name==="first-contentful-paint";})[0];return p?Math.round(p.startTime):-1;})()'));
      say('scroll_width', await evaluate('document.documentElement.scrollWidth'));
      say('findings_top', await evaluate('(function(){var e=document.getElementById("findings");return e?Math.round(e.getBoundingClientRect().top+window.scrollY):-1;})()'));
      say('findings_bottom', await evaluate('(function(){var e=document.querySelector("#findings table");return e?Math.round(e.getBoundingClientRect().bottom+window.scrollY):-1;})()'));
      say('script', await evaluate('document.body.getAttribute("data-script")'));
      say('shown', await evaluate('document.body.getAttribute("data-shown")'));
    } else if (s.do === 'select') {
      await evaluate('(function(){var s=document.getElementById("model");s.value=' + JSON.stringify(s.model) +
                     ';s.dispatchEvent(new Event("change"));})()');
      await sleep(300);
      say('shown', await evaluate('document.body.getAttribute("data-shown")'));
    } else if (s.do === 'hover') {
      const c = await centre(s.sel);
      if (!c) { say(s.key, 'NOT FOUND ' + s.sel); continue; }
      await mouse(c[0], c[1]);
      say(s.key, await evaluate('(function(){var e=document.querySelector(' + JSON.stringify(s.sel) + ');' +
                                'var h=e.closest(".mosaic,.sweepmap");var r=h&&h.querySelector(".readout");' +
                                'return r?r.textContent:"";})()'));
    } else if (s.do === 'hoverpoint') {
      const c = await centre(s.sel, 'var d=e.data[' + s.trace + '],fl=e._fullLayout,' +
                             'xa=fl[(d.xaxis||"x").replace("x","xaxis")],ya=fl[(d.yaxis||"y").replace("y","yaxis")];' +
                             'return [r.left+xa._offset+xa.d2p(d.x[' + (s.px !== undefined ? s.px : s.point) + ']),' +
                             'r.top+ya._offset+ya.d2p(d.y[' + (s.py !== undefined ? s.py : s.point) + '])];');
      if (!c) { say(s.key, 'NOT FOUND ' + s.sel); continue; }
      await mouse(c[0], c[1]);
      say(s.key, await evaluate('(function(){var e=document.querySelector(' + JSON.stringify(s.sel) + ');' +
                                'var t=e.querySelectorAll(".hoverlayer .hovertext");var a=[];' +
                                'for(var i=0;i<t.length;i++)a.push(t[i].textContent);return a.join(" | ");})()'));
    } else if (s.do === 'legend') {
      const c = await centre(s.sel, 'var t=e.querySelectorAll(".legend .traces")[' + s.item + '];if(!t)return null;' +
                             'var b=t.querySelector(".legendtoggle").getBoundingClientRect();return [b.left+b.width/2,b.top+b.height/2];');
      if (!c) { say(s.key, 'NOT FOUND legend ' + s.item); continue; }
      await mouse(c[0], c[1], true);
      await sleep(400);
      say(s.key, await evaluate('(function(){var e=document.querySelector(' + JSON.stringify(s.sel) + ');' +
                                'var v=e._fullData[' + s.item + '].visible;return String(v);})()'));
    } else if (s.do === 'drawn') {
      say(s.key, await evaluate('document.querySelectorAll(\'[data-model="' + s.model + '"] div.plot[data-drawn]\').length'));
    } else if (s.do === 'eval') {
      say(s.key, await evaluate(s.expr));
    } else if (s.do === 'shot') {
      const r = await send('Page.captureScreenshot', {format: 'png'});
      fs.writeFileSync(path.join(shotDir, s.file), Buffer.from(r.data, 'base64'));
      say('shot', s.file);
    }
  }
  say('errors', errors.length ? errors.join(' | ') : 'none');
}

const guard = setTimeout(() => { console.error('report_drive: timeout'); finish(3); }, 120000);
function finish(rc) {
  clearTimeout(guard);
  try { proc.kill('SIGKILL'); } catch (e) { /* gone */ }
  try { fs.rmSync(prof, {recursive: true, force: true}); } catch (e) { /* best effort */ }
  process.exit(rc);
}
main().then(() => finish(0), (e) => { console.error('report_drive: ' + e.message + '\n' + stderr.slice(-2000)); finish(1); });
