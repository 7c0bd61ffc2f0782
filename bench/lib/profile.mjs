// Where the time goes in a V8 .cpuprofile (node --cpu-prof): self time by function and by area.

/** The area a profile node belongs to, from its script URL and function name. */
export function category(url, fn) {
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(idle)') return 'idle';
  if (fn === '(program)') return 'native / program';
  if (url.includes('/node_modules/undici/')) return 'undici';
  if (url.includes('/node_modules/pino') || url.includes('/node_modules/sonic-boom/')) return 'pino';
  if (url.includes('/node_modules/')) return `dep: ${url.split('/node_modules/').pop().split('/')[0]}`;
  const dist = url.indexOf('/dist/');
  if (dist !== -1) return `agentbox: ${url.slice(dist + 6).replace(/\.js$/, '')}`;
  if (url.startsWith('node:')) {
    const m = /^node:(?:internal\/)?([a-z_]+)/.exec(url);
    return `node: ${m ? m[1] : url}`;
  }
  if (url === '') return `native: ${fn || '(anonymous)'}`;
  return url;
}

/**
 * Self time per function and per area, as % of the sampled time (idle excluded from "busy").
 * `top` lists the `n` heaviest functions with their file and line.
 */
export function summariseProfile(profile, n = 25) {
  const nodes = new Map(profile.nodes.map((x) => [x.id, x]));
  const self = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  }
  const fns = new Map();
  const cats = new Map();
  let idle = 0;
  for (const [id, t] of self) {
    const cf = nodes.get(id).callFrame;
    const cat = category(cf.url, cf.functionName);
    if (cat === 'idle') idle += t;
    cats.set(cat, (cats.get(cat) ?? 0) + t);
    const file = cf.url.replace(/^.*\/(dist|node_modules)\//, '$1/').replace(/^file:\/\//, '');
    const key = `${cf.functionName || '(anonymous)'} ${file}:${cf.lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + t);
  }
  const busy = total - idle;
  const pct = (t) => Math.round((1000 * t) / (busy || 1)) / 10;
  const sorted = (m) => [...m].filter(([k]) => k !== 'idle').sort((a, b) => b[1] - a[1]);
  return {
    totalMs: Math.round(total / 1000),
    busyPct: Math.round((100 * busy) / (total || 1)),
    categories: sorted(cats).map(([name, t]) => ({ name, pct: pct(t) })),
    top: sorted(fns)
      .filter(([k]) => !k.startsWith('(idle)'))
      .slice(0, n)
      .map(([name, t]) => ({ name, pct: pct(t) })),
  };
}
