/**
 * Orders two strings by their UTF-16 code units: deterministic whatever the server's locale, and
 * several times cheaper than `localeCompare` (which goes through ICU collation: sorting 800 inbox
 * groups that way held the event loop ~5 ms). For ids, ISO dates and tie-breaks between Chinese
 * labels, where no reader expects a dictionary order. Pure.
 */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
