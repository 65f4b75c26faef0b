/**
 * The round-robin proxy (round-robin-proxy.ts) as a process of its own, for `npm run bench --
 * --cluster`: like nginx in deploy/, it must not share the load generator's event loop. Usage:
 * `node --import tsx scripts/lib/round-robin-proxy-process.ts PORT…`; prints its URL on one line.
 */
import { startRoundRobinProxy } from './round-robin-proxy.js';

const ports = process.argv.slice(2).map(Number);
if (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p <= 0 || p > 65535)) {
  console.error('usage: round-robin-proxy-process.ts PORT…');
  process.exit(2);
}
const proxy = await startRoundRobinProxy(ports.map((port) => ({ host: '127.0.0.1', port })));
console.log(proxy.url);
process.once('SIGTERM', () => void proxy.close().then(() => process.exit(0)));
