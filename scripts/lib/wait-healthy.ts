/** Waits until `${url}/api/health` answers 200; resolves the milliseconds waited, or NaN on giving up. */
export async function waitHealthy(url: string, timeoutMs = 30_000, everyMs = 50): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) return performance.now() - start;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return NaN;
}
