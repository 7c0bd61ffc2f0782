/**
 * The live page served at GET /ui: one document with its style and script inline, nothing fetched
 * from elsewhere. The key, when the gateway asks for one (401), is kept in the tab's sessionStorage.
 * The script's `fetch` calls (of /ui/state and /ui/events) run in the browser; this file is only
 * text to the gateway, whose own upstream calls go through undici's Pool.
 */
export const UI_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>agentbox live</title>
<link rel="icon" href="data:,">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:13px/1.4 system-ui,sans-serif;margin:16px;background:#fafafa;color:#222}
h1{font-size:18px;margin:0 0 8px}h2{font-size:14px;margin:16px 0 4px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #ddd;padding:3px 6px;text-align:left;white-space:nowrap}
th{background:#eee}.ok{color:#080}.bad{color:#b00;font-weight:600}.muted{color:#777}
#keyform{display:none;padding:8px;background:#ffd;border:1px solid #cc9;margin-bottom:8px}
</style></head><body>
<h1>agentbox <span id="summary" class="muted"></span></h1>
<form id="keyform"><label>The gateway wants a key: <input id="key" type="password" autocomplete="off"></label>
<button>Use</button></form>
<h2>Deployments</h2>
<table><thead><tr><th>alias</th><th>deployment</th><th>state</th><th>cooldown</th><th>in flight</th>
<th>ttft ms</th><th>error rate</th></tr></thead><tbody id="deployments"></tbody></table>
<h2>Spend</h2><div id="spend" class="muted">no usage metering</div>
<h2>Last reload</h2><div id="reload"></div>
<h2>Requests</h2>
<table><thead><tr><th>time</th><th>route</th><th>key</th><th>alias → deployment</th><th>status</th>
<th>tokens in/out</th><th>cost $</th><th>ms</th><th>fallbacks</th></tr></thead><tbody id="requests"></tbody></table>
<script>
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var key = sessionStorage.getItem('agentbox-key') || '';
  var rows = [];
  var streaming = false;
  var waitingKey = false;
  function headers() { return key ? { authorization: 'Bearer ' + key } : {}; }
  function cell(tr, text, cls) {
    var td = document.createElement('td');
    td.textContent = text === undefined || text === null ? '' : String(text);
    if (cls) td.className = cls;
    tr.appendChild(td);
  }
  function askKey() { waitingKey = true; $('keyform').style.display = 'block'; $('key').focus(); }
  $('keyform').addEventListener('submit', function (ev) {
    ev.preventDefault();
    key = $('key').value.trim();
    sessionStorage.setItem('agentbox-key', key);
    $('keyform').style.display = 'none';
    waitingKey = false;
    refresh();
  });
  function renderRequests() {
    var body = $('requests');
    body.textContent = '';
    rows.slice(-50).reverse().forEach(function (e) {
      var tr = document.createElement('tr');
      tr.className = 'request';
      cell(tr, e.at.slice(11, 19));
      cell(tr, e.route);
      cell(tr, e.key_name || '-');
      cell(tr, (e.model || '?') + ' → ' + (e.deployment || '-'));
      cell(tr, e.status, e.status >= 400 ? 'bad' : 'ok');
      cell(tr, (e.input_tokens == null ? '-' : e.input_tokens) + ' / ' + (e.output_tokens == null ? '-' : e.output_tokens));
      cell(tr, e.cost_usd == null ? '-' : e.cost_usd.toFixed(6));
      cell(tr, e.ms);
      cell(tr, e.fallbacks || 0);
      body.appendChild(tr);
    });
  }
  function renderState(s) {
    $('summary').textContent = s.requests.total + ' requests, ' + s.requests.failed + ' failed, ' +
      s.requests.in_flight + ' in flight, up ' + s.uptime_s + ' s';
    var body = $('deployments');
    body.textContent = '';
    s.deployments.forEach(function (d) {
      var tr = document.createElement('tr');
      tr.className = 'deployment';
      cell(tr, d.alias);
      cell(tr, d.deployment);
      cell(tr, d.state, d.state === 'ok' ? 'ok' : 'bad');
      cell(tr, d.cooldown_remaining_s ? d.cooldown_remaining_s + ' s' : '');
      cell(tr, d.in_flight);
      cell(tr, d.ewma_ttft_ms);
      cell(tr, d.error_rate == null ? '' : Math.round(d.error_rate * 100) + '%');
      body.appendChild(tr);
    });
    $('spend').textContent = !s.usage ? 'no usage metering' :
      'today $' + s.usage.spend.today_usd.toFixed(4) + ', this month $' + s.usage.spend.month_usd.toFixed(4) +
      s.usage.budgets.map(function (b) {
        return '; ' + b.scope + (b.name ? ' ' + b.name : '') + ' per ' + b.period + ': $' +
          b.spent_usd.toFixed(4) + ' of $' + b.limit_usd + ' (resets ' + b.resets_at + ')';
      }).join('');
    var r = s.last_reload;
    $('reload').textContent = r.at + (r.ok ? ' ok' : ' failed: ' + r.errors.map(function (e) {
      return (e.path || '') + ' ' + e.message; }).join('; '));
    $('reload').className = r.ok ? 'ok' : 'bad';
    if (!streaming) { rows = s.recent; renderRequests(); }
  }
  function refresh() {
    if (waitingKey) return;
    fetch('/ui/state', { headers: headers() }).then(function (res) {
      if (res.status === 401) { askKey(); return; }
      return res.json().then(function (s) { renderState(s); if (!streaming) stream(); });
    }).catch(function () { $('summary').textContent = 'gateway not answering'; });
  }
  function stream() {
    streaming = true;
    fetch('/ui/events', { headers: headers() }).then(function (res) {
      if (!res.ok || !res.body) { streaming = false; return; }
      var reader = res.body.getReader();
      var dec = new TextDecoder();
      var buf = '';
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) { streaming = false; return; }
          buf += dec.decode(chunk.value, { stream: true });
          var i;
          while ((i = buf.indexOf('\\n\\n')) !== -1) {
            var block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            var data = block.split('\\n').filter(function (l) { return l.indexOf('data: ') === 0; })
              .map(function (l) { return l.slice(6); }).join('\\n');
            if (data) { rows.push(JSON.parse(data)); if (rows.length > 200) rows.shift(); renderRequests(); }
          }
          return pump();
        });
      }
      return pump();
    }).catch(function () { streaming = false; });
  }
  refresh();
  setInterval(refresh, 1000);
})();
</script></body></html>
`;
