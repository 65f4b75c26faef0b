/**
 * Whether a request comes from this site's own pages, by its Origin header. The one check behind
 * the JSON API's cross-site guard and the officer socket's upgrade.
 */

/**
 * True when the request names no Origin (not a browser's cross-site request: a script, a
 * same-origin GET) or an Origin whose host is the Host the request was sent to. An opaque
 * `null` Origin (a sandboxed frame, a file page) or one that is not a URL is refused.
 */
export function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined || origin === '') return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
