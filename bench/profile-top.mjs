#!/usr/bin/env node
// `node bench/profile-top.mjs FILE.cpuprofile [N]`: where the time goes, by area and by function
// (self time, % of busy samples).
import { readFileSync } from 'node:fs';
import { summariseProfile } from './lib/profile.mjs';

const [file, n] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-top.mjs FILE.cpuprofile [N]');
  process.exit(2);
}
const p = summariseProfile(JSON.parse(readFileSync(file, 'utf8')), Number(n ?? 30));
console.log(`${p.totalMs} ms sampled, ${p.busyPct} % busy\n`);
for (const c of p.categories.filter((x) => x.pct >= 0.5))
  console.log(`${String(c.pct).padStart(5)} %  ${c.name}`);
console.log('');
for (const f of p.top) console.log(`${String(f.pct).padStart(5)} %  ${f.name}`);
