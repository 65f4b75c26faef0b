/**
 * The client address of the request or socket message being handled, for limits that are counted
 * deep inside a turn (new handoffs), whichever channel the turn came through (HTTP or the web socket).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const client = new AsyncLocalStorage<{ address: string }>();

/** Runs `fn` as the client at `address`. */
export const runAsClient = <T>(address: string, fn: () => T): T => client.run({ address }, fn);

/** The address of the client being served, if a channel said so. */
export const currentClient = (): string | undefined => client.getStore()?.address;
