/* page.js — the script of a chronolens report page (embedded by report_assets.c, inlined after
 * plotly.js). It reads the page's numbers from <script id="cl-data" type="application/json">
 * (written by report_data.c) and draws every interactive figure with Plotly: values on hover,
 * zoom (drag; double-click resets), heads toggled from the legend (click: hide/show one head,
 * double-click: that head alone). The model selector (and #model=NAME in the URL) shows that
 * model's blocks and draws its figures the first time they are shown; figures of every model
 * (layer distribution) highlight it. Hovering a cell of an inline SVG heatmap writes its value
 * into the readout line under it. The body's data-script says "ok" once all of this ran
 * ("error" on a script error): the tests read it. */
(function () {
  'use strict';
  window.addEventListener('error', function () { document.body.setAttribute('data-script', 'error'); });
  var D = JSON.parse(document.getElementById('cl-data').textContent);
  var sel = document.getElementById('model');
  var CFG = {responsive: false, displaylogo: false, modeBarButtonsToRemove: ['lasso2d', 'select2d']};
  var VIR = [[68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142], [31, 158, 137],
             [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37]];

  function viridis(t) { /* t in [0, 1] */
    t = Math.max(0, Math.min(1, isFinite(t) ? t : 0)) * (VIR.length - 1);
    var i = Math.min(VIR.length - 2, Math.floor(t)), f = t - i, a = VIR[i], b = VIR[i + 1];
    return 'rgb(' + [0, 1, 2].map(function (k) { return Math.round(a[k] + f * (b[k] - a[k])); }).join(',') + ')';
  }
  function intAxis(max) { /* counts: integer ticks only */
    return max <= 12 ? {dtick: 1, tick0: 0, tickformat: 'd', rangemode: 'tozero'} : {tickformat: 'd', rangemode: 'tozero'};
  }
  function base(title, h, w) {
    return {title: {text: title, font: {size: 14}}, height: h || 380, width: w || 1100,
            margin: {l: 60, r: 20, t: 44, b: 50}, hovermode: 'closest', legend: {font: {size: 11}}};
  }

  /* every head of a multisine result as a trace over x, coloured by its induction score; the
   * legend names each head (layer, head, score), strongest first */
  function headTraces(ms, rows, x, xaxis, yaxis) {
    var order = ms.induction.map(function (v, i) { return i; });
    order.sort(function (a, b) { return ms.induction[b] - ms.induction[a]; });
    return order.map(function (i, rank) {
      var l = Math.floor(i / ms.heads), h = i % ms.heads, s = ms.induction[i];
      return {x: x, y: rows[i], type: 'scatter', mode: 'lines', xaxis: xaxis, yaxis: yaxis,
              name: 'layer ' + l + ' head ' + h + ' (' + s.toFixed(2) + ')', legendgroup: 'h' + i,
              line: {color: viridis(s / ms.clip), width: rank < 3 ? 2 : 1.1},
              hovertemplate: 'layer ' + l + ' head ' + h + '<br>%{x:.4g}: %{y:.5g}<extra></extra>'};
    });
  }

  var DRAW = {
    'sweep-lines': function (el, m) {
      var s = m.sweep, tr = [], max = 1, nR = s.R.length, crit = [['cur', 'current ' + m.unit], ['right', m.unit + ' to right']];
      crit.forEach(function (c, p) {
        s.R.forEach(function (R, i) {
          /* dodge: each R a little apart on x, so equal counts (often 0) do not hide each other */
          var dx = (i - (nR - 1) / 2) * 0.09, x = [], y = [], txt = [];
          s.L.forEach(function (L, j) {
            var v = s[c[0]][i][j];
            x.push(L + dx); y.push(v); txt.push(L);
            if (v !== null) max = Math.max(max, v);
          });
          tr.push({x: x, y: y, text: txt, type: 'scatter', mode: 'lines+markers', name: 'R = ' + R,
                   legendgroup: 'R' + R, showlegend: p === 0, xaxis: p ? 'x2' : 'x', yaxis: p ? 'y2' : 'y',
                   line: {color: viridis(nR > 1 ? i / (nR - 1) : 0.5)},
                   hovertemplate: 'R = ' + R + ', L = %{text}: %{y} heads<extra>' + c[1] + '</extra>'});
        });
      });
      var lay = base(m.name + ': heads ≥ ' + D.threshold + ' against L, one line per R (dodged on x)', 380);
      var ya = intAxis(max);
      lay.grid = {rows: 1, columns: 2, pattern: 'independent'};
      lay.xaxis = {title: {text: 'sequence length L'}, tickvals: s.L};
      lay.xaxis2 = {title: {text: 'sequence length L'}, tickvals: s.L};
      lay.yaxis = Object.assign({title: {text: 'heads ≥ ' + D.threshold + ', ' + crit[0][1]}, range: [-0.3, max + 0.5]}, ya);
      lay.yaxis2 = Object.assign({title: {text: crit[1][1]}, range: [-0.3, max + 0.5]}, ya);
      Plotly.newPlot(el, tr, lay, CFG);
    },
    'ms-attn': function (el, m) {
      var ms = m.ms, tr = [{x: ms.ts, y: ms.series, type: 'scatter', mode: 'lines', name: 'input series',
                            line: {color: '#333'}, hovertemplate: '%{x:.4g} s: %{y:.5g}<extra>input</extra>'}];
      tr = tr.concat(headTraces(ms, ms.attn, ms.t, 'x2', 'y2'));
      var lay = base(m.name + ': multisine input and ' + (m.c2 ? 'the first future token’s time attention, every head'
                                                           : 'every decoder head’s cross-attention') + ' (colour: induction score)', 640);
      lay.grid = {rows: 2, columns: 1, pattern: 'independent', roworder: 'top to bottom'};
      lay.yaxis = {title: {text: 'value'}, domain: [0.68, 1]};
      lay.yaxis2 = {title: {text: 'attention'}, domain: [0, 0.58]};
      lay.xaxis = {title: {text: 'time (s)'}, anchor: 'y'};
      lay.xaxis2 = {title: {text: 'time (s)'}, anchor: 'y2'};
      Plotly.newPlot(el, tr, lay, CFG);
    },
    'ms-spec': function (el, m) {
      var ms = m.ms, tr = [{x: ms.shz, y: ms.series_mag, type: 'scatter', mode: 'lines',
                            name: 'input series', line: {color: '#333'}, hovertemplate: '%{x:.4g} Hz: %{y:.5g}<extra>input</extra>'}];
      tr = tr.concat(headTraces(ms, ms.mag, ms.hz, 'x2', 'y2'));
      var lay = base(m.name + ': spectra |FFT| (heads: DC bin omitted); drag to zoom, double-click to reset', 640);
      lay.grid = {rows: 2, columns: 1, pattern: 'independent', roworder: 'top to bottom'};
      lay.yaxis = {title: {text: '|FFT|, input'}, domain: [0.68, 1]};
      lay.yaxis2 = {title: {text: '|FFT|, heads'}, domain: [0, 0.58]};
      lay.xaxis = {title: {text: 'frequency (Hz)'}, anchor: 'y'};
      lay.xaxis2 = {title: {text: 'frequency (Hz)'}, anchor: 'y2', matches: 'x'};
      Plotly.newPlot(el, tr, lay, CFG);
    },
    'ms-dfft': function (el, m) {
      var ms = m.ms, tr = headTraces(ms, ms.dfft, ms.qs, 'x', 'y');
      var lay = base(m.name + ': double FFT |FFT(|FFT| without DC)|; red: 1 / the smallest input gap', 440);
      lay.xaxis = {title: {text: 'quefrency (s)'}};
      lay.yaxis = {title: {text: '|FFT(|FFT|)|'}};
      if (ms.gap_hz > 0) lay.shapes = [{type: 'line', x0: 1 / ms.gap_hz, x1: 1 / ms.gap_hz, yref: 'paper', y0: 0, y1: 1,
                                        line: {color: '#d91a1a', width: 1.5}}];
      Plotly.newPlot(el, tr, lay, CFG);
    },
    'mss': function (el, m) {
      var s = m.mss, g = [[], []], d = [[], []], mx = 1;
      for (var i = 0; i < s.gap.length; i++) {
        if (s.det[i] === null) continue;
        g[s.nd[i]].push(s.gap[i]); d[s.nd[i]].push(s.det[i]); mx = Math.max(mx, s.gap[i], s.det[i]);
      }
      var tr = [{x: [0, mx], y: [0, mx], mode: 'lines', name: 'detected = smallest gap', line: {color: '#999'}, hoverinfo: 'skip'},
                {x: g[0], y: d[0], mode: 'markers', name: 'smallest gap divides the others', marker: {color: '#0072b2', opacity: 0.55},
                 hovertemplate: 'gap %{x:.4g} Hz, detected %{y:.4g} Hz<extra></extra>'},
                {x: g[1], y: d[1], mode: 'markers', name: 'smallest gap is not a divisor', marker: {color: '#d55e00', opacity: 0.55},
                 hovertemplate: 'gap %{x:.4g} Hz, detected %{y:.4g} Hz<extra></extra>'}];
      var lay = base(m.name + ': detected spacing against the smallest gap, one dot per (configuration, head)', 460, 760);
      lay.xaxis = {title: {text: 'smallest input gap (Hz)'}};
      lay.yaxis = {title: {text: 'detected spacing (Hz)'}};
      Plotly.newPlot(el, tr, lay, CFG);
    },
    'formation': function (el, m) {
      var f = m.formation, tr = [
        {x: f.step, y: f.cur, name: 'max current token', yaxis: 'y'},
        {x: f.step, y: f.right, name: 'max token to right', yaxis: 'y'},
        {x: f.step, y: f.loss, name: 'held-out loss', yaxis: 'y2'},
        {x: f.step, y: f.heads, name: 'heads ≥ ' + D.threshold, yaxis: 'y3', line: {shape: 'hv'}}];
      tr.forEach(function (t) { t.mode = 'lines+markers'; t.hovertemplate = 'step %{x}: %{y:.4g}<extra>' + t.name + '</extra>'; });
      var lay = base(m.name + ': induction scores, loss and heads over training', 560);
      lay.grid = {rows: 3, columns: 1, pattern: 'coupled', roworder: 'top to bottom'};
      lay.yaxis = {title: {text: 'RRT score'}};
      lay.yaxis2 = {title: {text: 'loss'}};
      var mh = Math.max.apply(null, f.heads.concat([1]));
      lay.yaxis3 = Object.assign({title: {text: 'heads'}}, intAxis(mh));
      lay.xaxis = {title: {text: 'training step'}};
      lay.shapes = [{type: 'line', xref: 'paper', x0: 0, x1: 1, y0: D.threshold, y1: D.threshold, yref: 'y',
                     line: {color: '#d91a1a', dash: 'dot', width: 1}}];
      Plotly.newPlot(el, tr, lay, CFG);
    },
    'attn-pattern': function (el, m) { drawPattern(el, m); },
    'ga-lag': function (el, m) { drawGroup(el, m, true); },
    'ga-noise': function (el, m) { drawGroup(el, m, false); }
  };

  /* Chronos-2's group attention: B's share on its partner A over the lags (first noise) or the
   * noise levels (first lag), one line per head: the five strongest at the first cell drawn,
   * the others in the legend (click to show), 1/G dashed */
  function drawGroup(el, m, byLag) {
    var g = m.ga, rows = byLag ? g.lag : g.noise, x = byLag ? g.lags : g.noises;
    var order = rows.map(function (r, i) { return i; });
    order.sort(function (a, b) { return rows[b][0] - rows[a][0]; });
    var tr = order.map(function (i, rank) {
      var l = Math.floor(i / g.heads), h = i % g.heads;
      return {x: x, y: rows[i], type: 'scatter', mode: 'lines+markers', visible: rank < 5 ? true : 'legendonly',
              name: 'layer ' + l + ' head ' + h + (g.sig[i] ? ' (significant in ' + g.sig[i] + ')' : ''),
              line: {color: viridis(rank < 5 ? rank / 5 : 0.9), width: rank < 5 ? 2 : 1},
              hovertemplate: 'layer ' + l + ' head ' + h + '<br>' + (byLag ? 'lag' : 'noise') +
                             ' %{x}: partner share %{y:.4f}<extra></extra>'};
    });
    tr.push({x: [x[0], x[x.length - 1]], y: [g.baseline, g.baseline], mode: 'lines', name: '1/G = ' + g.baseline.toFixed(3),
             line: {color: '#999', dash: 'dash'}, hoverinfo: 'skip'});
    var lay = base(m.name + ': B\u2019s group attention on its partner A against the ' +
                   (byLag ? 'lag (patches), noise ' + g.noises[0] : 'noise, lag ' + g.lags[0]), 420, 900);
    lay.xaxis = {title: {text: byLag ? 'lag (patches A leads B)' : 'noise std on B'}, tickvals: x};
    lay.yaxis = {title: {text: 'share on A'}, rangemode: 'tozero'};
    Plotly.newPlot(el, tr, lay, CFG);
  }

  /* CircuitsVis-style attention patterns: thumbnails of every head of a layer, one enlarged */
  function drawPattern(el, m) {
    var P = m.pattern, lsel = el.querySelector('select.layer'), grid = el.querySelector('.thumbs'),
        big = el.querySelector('.big'), cur = {layer: 0, head: 0};
    function title(l, h) { return P.stack + ' layer ' + l + ' head ' + h; }
    function heat(l, h, small) { /* the traces of head h of layer l */
      var z = P.maps[l][h], n = z.length;
      var tr = {z: z, type: 'heatmap', colorscale: 'Viridis', zmin: 0, zmax: 1, showscale: !small,
                x: P.labels, y: P.labels, hovertemplate: 'query %{y}<br>key %{x}<br>attention %{z:.4f}<extra></extra>'};
      if (!P.stripe || small) return [tr];
      /* the induction stripe: from the second repeat on, the query's key is the token after the
       * previous occurrence, P.stripe - 1 positions back (P.stripe: the repeated length L) */
      var xs = [], ys = [];
      for (var q = P.stripe; q < n && q < P.last; q++) { xs.push(P.labels[q - P.stripe + 1]); ys.push(P.labels[q]); }
      return [tr, {x: xs, y: ys, mode: 'markers', type: 'scatter', name: 'induction stripe',
                   marker: {symbol: 'square-open', color: '#e8112d', size: 7}, hoverinfo: 'skip'}];
    }
    function layoutOf(l, h) {
      return {width: 620, height: 600, margin: {l: 90, r: 20, t: 40, b: 90}, showlegend: false,
              title: {text: title(l, h) + (P.stripe ? '; red: the induction stripe' : ''), font: {size: 13}, x: 0.02, xanchor: 'left'},
              xaxis: {tickfont: {size: 9}, type: 'category'}, yaxis: {autorange: 'reversed', tickfont: {size: 9}, type: 'category'}};
    }
    function enlarge(h) {
      cur.head = h;
      Plotly.newPlot(big, heat(cur.layer, h, false), layoutOf(cur.layer, h), CFG);
      big.setAttribute('data-head', String(h));
      var th = grid.children;
      for (var i = 0; i < th.length; i++) th[i].classList.toggle('on', i === h);
    }
    function layer(l) {
      cur.layer = l;
      grid.innerHTML = '';
      for (var h = 0; h < P.maps[l].length; h++) {
        var d = document.createElement('div');
        d.className = 'thumb';
        d.setAttribute('data-head', String(h));
        d.title = title(l, h) + ': click to enlarge';
        grid.appendChild(d);
        var t = heat(l, h, true);
        Plotly.newPlot(d, t, {width: 150, height: 150, margin: {l: 4, r: 4, t: 22, b: 4}, hovermode: false,
                              title: {text: 'head ' + h + (P.score ? ' (' + P.score[l][h].toFixed(2) + ')' : ''), font: {size: 11}},
                              xaxis: {showticklabels: false, type: 'category'},
                              yaxis: {showticklabels: false, autorange: 'reversed', type: 'category'}}, {staticPlot: true});
        d.addEventListener('click', (function (hh) { return function () { enlarge(hh); }; })(h));
      }
      enlarge(Math.min(cur.head, P.maps[l].length - 1));
      if (P.group) drawGroupMaps(l);
    }
    /* Chronos-2: every head's group attention among the group's rows at one token, values on hover */
    function drawGroupMaps(l) {
      var gd = el.querySelector('.group'), G = P.group;
      if (!gd) return;
      gd.innerHTML = '';
      G.maps[l].forEach(function (z, h) {
        var d = document.createElement('div');
        d.className = 'gmap';
        d.setAttribute('data-head', String(h));
        gd.appendChild(d);
        /* rows named in full on hover, by their short name ("B", "A", "D1": before the colon) on the axes */
        var ax = {type: 'category', tickvals: G.labels, ticktext: G.labels.map(function (s) { return s.split(':')[0]; }),
                  tickfont: {size: 10}};
        Plotly.newPlot(d, [{z: z, x: G.labels, y: G.labels, type: 'heatmap', colorscale: 'Viridis', zmin: 0, zmax: 1,
                            showscale: false, hovertemplate: 'query %{y}<br>key %{x}<br>group attention %{z:.4f}<extra>head ' + h + '</extra>'}],
                       {width: 200, height: 210, margin: {l: 30, r: 6, t: 26, b: 26}, title: {text: 'head ' + h, font: {size: 12}},
                        xaxis: ax, yaxis: Object.assign({autorange: 'reversed'}, ax)}, {displayModeBar: false, responsive: false});
      });
    }
    lsel.addEventListener('change', function () { layer(+lsel.value); });
    layer(+lsel.value);
  }

  /* a figure is drawn when it first comes near the window (so the page opens as soon as the
   * library is read, not after every figure of the model is drawn); without an
   * IntersectionObserver, at once */
  function draw(e) {
    var own = e.closest('[data-model]');
    if (e.getAttribute('data-drawn') || !own || own.hidden) return;
    var mn = own.getAttribute('data-model'), m = D.m[mn];
    if (!m) return;
    m.name = mn;
    e.setAttribute('data-drawn', '1');
    DRAW[e.getAttribute('data-fig')](e, m);
  }
  var io = 'IntersectionObserver' in window ? new IntersectionObserver(function (es) {
    es.forEach(function (x) { if (x.isIntersecting) { io.unobserve(x.target); draw(x.target); } });
  }, {rootMargin: '600px 0px'}) : null;
  function drawAll(name) {
    var els = document.querySelectorAll('div.plot[data-fig]');
    for (var i = 0; i < els.length; i++) {
      var e = els[i], own = e.closest('[data-model]');
      if (e.getAttribute('data-fig') === 'depth') continue; /* every model's: drawDepth */
      if (e.getAttribute('data-drawn') || !own || own.getAttribute('data-model') !== name) continue;
      if (io) io.observe(e); else draw(e);
    }
    drawDepth(name);
  }

  /* the layer distribution: every model's heads >= threshold by relative depth, the selected
   * one highlighted; said in words when no head of any model reaches it */
  function drawDepth(name) {
    var el = document.querySelector('div.plot[data-fig="depth"]');
    if (!el) return;
    var tr = D.models.map(function (n) {
      var dp = D.m[n].depth, on = n === name;
      return {y: dp, x: dp.map(function () { return n; }), type: 'box', name: n, boxpoints: 'all', jitter: 0.4,
              pointpos: 0, marker: {size: on ? 9 : 6, opacity: on ? 1 : 0.35}, line: {width: on ? 2 : 1},
              hovertemplate: n + ': relative depth %{y:.3g}<extra></extra>'};
    });
    var lay = base('relative depth (layer + 1) / layers of the decoder cross-attention heads ≥ ' + D.threshold, 380, 900);
    lay.yaxis = {title: {text: 'relative depth'}, range: [0, 1.05]};
    lay.showlegend = false;
    Plotly.react(el, tr, lay, CFG);
    el.setAttribute('data-drawn', '1');
  }

  /* inline SVG heatmaps: the hovered cell's value in the readout line under the heatmap */
  document.addEventListener('mouseover', function (ev) {
    var r = ev.target;
    if (!r || r.tagName !== 'rect' || !r.closest('svg.heatmap')) return;
    var t = r.querySelector('title'), out = r.closest('svg.heatmap').parentNode.querySelector('.readout');
    if (t && out) out.textContent = t.textContent;
  });

  function names() { var a = []; for (var i = 0; i < sel.options.length; i++) a.push(sel.options[i].value); return a; }
  function fromHash() { var m = /(?:^#|&)model=([^&]*)/.exec(location.hash); return m ? decodeURIComponent(m[1]) : null; }
  function show(name) {
    if (names().indexOf(name) < 0) name = sel.options[0].value;
    sel.value = name;
    var els = document.querySelectorAll('[data-model]');
    for (var i = 0; i < els.length; i++) {
      var e = els[i], own = e.getAttribute('data-model') === name;
      if (e.tagName === 'TR' || e.tagName === 'TD' || e.tagName === 'TH') e.classList.toggle('sel', own);
      else e.hidden = !own;
    }
    document.body.setAttribute('data-shown', name);
    drawAll(name);
  }
  /* a findings cell's links select its model first */
  document.addEventListener('click', function (ev) {
    var a = ev.target.closest && ev.target.closest('a[data-select]');
    if (a) show(a.getAttribute('data-select'));
  });
  sel.addEventListener('change', function () { history.replaceState(null, '', '#model=' + encodeURIComponent(sel.value)); show(sel.value); });
  window.addEventListener('hashchange', function () { show(fromHash() || sel.value); });
  show(fromHash() || sel.options[0].value);
  if (document.body.getAttribute('data-script') !== 'error') document.body.setAttribute('data-script', 'ok');
})();
