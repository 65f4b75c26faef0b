/** Resolves on the event loop's next turn (after pending I/O): long work awaits it so that chat requests can run in between. */
export const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));
