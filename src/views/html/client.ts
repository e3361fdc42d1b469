/**
 * The page's own script (plain ES2017, no module, no request): draws the charts of the chart model
 * with uPlot, and on the live dashboard adds each window's point from server-sent events, then
 * replaces itself with the final report the last event carries. Kept as text: it runs in the browser, not in Node.
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var model = JSON.parse(document.getElementById('stampede-data').textContent);
  var COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];
  var charts = [];
  var drawn = 0;
  function color(i) { return COLORS[i % COLORS.length]; }
  function ms(values) { return values.map(function (v) { return v == null ? null : v / 1000; }); }
  function width() { return Math.max(320, Math.min(1200, document.getElementById('charts').clientWidth - 8)); }

  // Phases shaded and named under the series; saturated (orange) and degraded (red) points as strips
  // along the top, one row per provider; markers (capacity, knee, recovery) as dashed lines.
  function underlay(u) {
    var ctx = u.ctx, b = u.bbox, dpr = window.devicePixelRatio || 1;
    ctx.save();
    ctx.font = (11 * dpr) + 'px sans-serif';
    model.phases.forEach(function (ph, i) {
      var x0 = u.valToPos(ph.fromSec, 'x', true), x1 = u.valToPos(ph.toSec, 'x', true);
      if (x1 < b.left || x0 > b.left + b.width) return;
      x0 = Math.max(x0, b.left); x1 = Math.min(x1, b.left + b.width);
      ctx.fillStyle = i % 2 ? 'rgba(120,120,160,0.10)' : 'rgba(120,160,120,0.06)';
      ctx.fillRect(x0, b.top, x1 - x0, b.height);
      ctx.fillStyle = '#555';
      ctx.fillText(ph.name, x0 + 3 * dpr, b.top + b.height - 4 * dpr);
    });
    ctx.restore();
  }
  function overlay(u) {
    var ctx = u.ctx, b = u.bbox, dpr = window.devicePixelRatio || 1;
    var step = model.x.length > 1 ? model.x[1] - model.x[0] : model.windowSec;
    ctx.save();
    model.providers.forEach(function (p, row) {
      [[p.saturated, 'rgba(255,140,0,0.9)'], [p.degraded, 'rgba(200,0,0,0.9)']].forEach(function (flag) {
        ctx.fillStyle = flag[1];
        flag[0].forEach(function (i) {
          var x0 = u.valToPos(model.x[i] - step, 'x', true), x1 = u.valToPos(model.x[i], 'x', true);
          ctx.fillRect(x0, b.top + row * 4 * dpr, Math.max(dpr, x1 - x0), 3 * dpr);
        });
      });
    });
    ctx.font = (11 * dpr) + 'px sans-serif';
    ctx.setLineDash([4 * dpr, 3 * dpr]);
    model.markers.forEach(function (m, i) {
      var x = u.valToPos(m.atSec, 'x', true);
      if (x < b.left || x > b.left + b.width) return;
      ctx.strokeStyle = '#333';
      ctx.beginPath(); ctx.moveTo(x, b.top); ctx.lineTo(x, b.top + b.height); ctx.stroke();
      ctx.fillStyle = '#333';
      ctx.fillText(m.label, x + 3 * dpr, b.top + (14 + 12 * i) * dpr);
    });
    ctx.restore();
  }

  function chart(id, title, unit, series, data) {
    var el = document.getElementById(id);
    el.textContent = '';
    var opts = {
      title: title,
      width: width(),
      height: 240,
      scales: { x: { time: false, range: function (u, min, max) { return [0, Math.max(max, model.windowSec)]; } } },
      axes: [{ label: 'seconds from the provider run\'s start (end of window)' }, { label: unit, size: 60 }],
      series: [{ label: 's' }].concat(series),
      hooks: { drawClear: [underlay], draw: [overlay, function () { drawn++; }] },
      legend: { live: true },
    };
    var u = new uPlot(opts, [model.x].concat(data), el);
    charts.push(u);
    return u;
  }

  function line(label, i, extra) {
    var s = { label: label, stroke: color(i), width: 1.5, spanGaps: false, points: { show: false } };
    for (var k in extra) s[k] = extra[k];
    return s;
  }

  function perProvider(id, title, unit, field) {
    chart(id, title, unit, model.providers.map(function (p, i) { return line(p.name, i); }),
      model.providers.map(function (p) { return p[field]; }));
  }

  function latency() {
    var select = document.getElementById('percentile');
    var which = select.value === 'all' ? ['p50', 'p95', 'p99'] : [select.value];
    var series = [], data = [];
    var styles = { p50: { width: 1 }, p95: { width: 2 }, p99: { width: 1, dash: [6, 3] } };
    model.providers.forEach(function (p, i) {
      which.forEach(function (q) {
        series.push(line(p.name + ' ' + q, i, styles[q]));
        data.push(ms(p[q]));
        if (p.corrected) {
          series.push(line(p.name + ' ' + q + ' corrected', i, { width: 1, dash: [2, 2], alpha: 0.7 }));
          data.push(ms(p.corrected[q]));
        }
      });
    });
    var folded = model.windowsPerPoint > 1 ? ' (worst of ' + model.windowsPerPoint + ' windows a point)' : '';
    chart('chart-latency', 'Latency per window' + folded + (model.open ? ': service time, and corrected from the intended start (dotted)' : ''), 'ms', series, data);
  }

  function operation() {
    var op = document.getElementById('operation').value;
    chart('chart-operation', 'p95 of ' + op + ' per window', 'ms', model.providers.map(function (p, i) { return line(p.name, i); }),
      model.providers.map(function (p) { return ms(p.operations[op] || []); }));
  }

  function renderCharts() {
    charts.forEach(function (u) { u.destroy(); });
    charts.length = 0;
    var per = model.windowsPerPoint > 1 ? ' (mean of ' + model.windowsPerPoint + ' windows a point)' : '';
    perProvider('chart-throughput', 'Throughput' + per, 'ops/s', 'opsPerSec');
    perProvider('chart-vus', 'Active VUs', 'VUs', 'activeVUs');
    perProvider('chart-errors', 'Errors', 'errors/s', 'errorsPerSec');
    latency();
    if (model.operations.length > 0) operation();
  }

  function fillSelect(id, values, chosen) {
    var select = document.getElementById(id);
    select.textContent = '';
    values.forEach(function (v) {
      var o = document.createElement('option');
      o.value = v; o.textContent = v; o.selected = v === chosen;
      select.appendChild(o);
    });
  }

  fillSelect('percentile', ['all', 'p50', 'p95', 'p99'], model.providers.length > 3 ? 'p95' : 'all');
  fillSelect('operation', model.operations, model.operations[0]);
  document.getElementById('percentile').addEventListener('change', renderCharts);
  document.getElementById('operation').addEventListener('change', renderCharts);
  renderCharts();
  window.__stampede = { model: model, charts: charts, drawn: function () { return drawn; }, readyMs: performance.now() };

  if (model.live) {
    var pending = false;
    var status = document.getElementById('live-status');
    var source = new EventSource('events');
    source.addEventListener('window', function (e) {
      var w = JSON.parse(e.data);
      var p = model.providers[w.provider];
      var i = w.window;
      while (model.x.length <= i) model.x.push(Number(((model.x.length + 1) * model.windowSec).toFixed(3)));
      ['opsPerSec', 'activeVUs', 'errorsPerSec', 'p50', 'p95', 'p99'].forEach(function (k) {
        model.providers.forEach(function (q) { while (q[k].length < model.x.length) q[k].push(null); });
        p[k][i] = w[k];
      });
      if (p.corrected && w.corrected) ['p50', 'p95', 'p99'].forEach(function (k) {
        model.providers.forEach(function (q) { while (q.corrected[k].length < model.x.length) q.corrected[k].push(null); });
        p.corrected[k][i] = w.corrected[k];
      });
      model.operations.forEach(function (op) {
        model.providers.forEach(function (q) { q.operations[op] = q.operations[op] || []; while (q.operations[op].length < model.x.length) q.operations[op].push(null); });
        p.operations[op][i] = w.operations[op] == null ? null : w.operations[op];
      });
      if (w.saturated) p.saturated.push(i);
      status.textContent = 'live: ' + p.name + ', window ' + (i + 1) + (w.phase && w.phase !== 'main' ? ' (' + w.phase + ')' : '');
      window.__stampede.events = (window.__stampede.events || 0) + 1;
      // Redraw at most once a frame, however fast the windows come.
      if (!pending) { pending = true; requestAnimationFrame(function () { pending = false; renderCharts(); }); }
    });
    // The final report comes whole in the event, so the page needs the server no longer.
    source.addEventListener('report', function (e) {
      source.close();
      charts.forEach(function (u) { u.destroy(); });
      document.open(); document.write(JSON.parse(e.data)); document.close();
    });
  }
})();
`;
