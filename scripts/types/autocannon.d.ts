// autocannon ships no types; only what scripts/bench.ts uses is declared. A dev tool: its types live
// with the scripts (tsconfig.test.json checks scripts/), not under src/.
declare module 'autocannon' {
  interface Result {
    requests: { total: number; average: number };
    latency: { p50: number; p99: number; max: number };
    errors: number;
    non2xx: number;
  }
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    requests?: Record<string, unknown>[];
  }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
