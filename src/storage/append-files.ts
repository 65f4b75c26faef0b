/**
 * Append-only files kept open: the lowdb store's journals (a conversation's commits, a tally's
 * adds) and log segments are appended to many times in a row, and `appendFile` opens and closes the
 * file each time — three trips to libuv's thread pool and three system calls per line, most of a
 * small append's cost (measured: ~90 µs of CPU per `appendFile` against ~25 µs per write on a kept
 * handle).
 *
 * - A file is opened in append mode ('a', O_APPEND) on its first append and kept, at most `max`
 *   at once; past that the least recently used handle that no append is using is closed. A handle
 *   in use is never closed under its append (with more files in use at once than `max`, the limit
 *   waits until their appends are done).
 * - Durability is unchanged: a write resolves once the kernel has the bytes (as `appendFile`'s
 *   did; neither syncs to disk), so an acknowledged line survives the process being killed.
 * - Before a file is removed or renamed over, its caller calls `release`: a handle kept across an
 *   unlink would go on writing to the unlinked file. (Truncating needs no release: in append mode
 *   the next write goes to the new end.)
 * The callers serialise the appends to one file (a document's changes go one at a time; a log
 * segment and a tally write one batch at a time), so two writes to the same file are never in
 * flight together.
 */
import { open, type FileHandle } from 'node:fs/promises';

export interface AppendFiles {
  /** Appends `text` to the file at `path` (created if missing). */
  append(path: string, text: string): Promise<void>;
  /** Closes the file's handle, if one is kept: call before removing the file or renaming another over it. */
  release(path: string): Promise<void>;
  /** Closes every kept handle. */
  close(): Promise<void>;
}

interface Kept {
  handle: Promise<FileHandle>;
  /** Appends using the handle now: it is not closed while any is. */
  users: number;
}

export function createAppendFiles(max = 128): AppendFiles {
  // Insertion order is recency: a use moves the path to the end.
  const kept = new Map<string, Kept>();
  const closeHandle = async (k: Kept) => {
    const fh = await k.handle.catch(() => null);
    await fh?.close().catch(() => {});
  };
  /** Closes the least recently used idle handles while more than `max` are kept. */
  const trim = () => {
    if (kept.size <= max) return;
    for (const [path, k] of kept) {
      if (kept.size <= max) break;
      if (k.users > 0) continue;
      kept.delete(path);
      void closeHandle(k);
    }
  };
  const release = async (path: string) => {
    const k = kept.get(path);
    if (!k) return;
    kept.delete(path);
    await closeHandle(k);
  };
  const use = (path: string): Kept => {
    let k = kept.get(path);
    if (k) kept.delete(path);
    else {
      const handle = open(path, 'a');
      k = { handle, users: 0 };
      // A failed open is not kept: the next append tries again.
      handle.catch(() => {
        if (kept.get(path)?.handle === handle) kept.delete(path);
      });
    }
    kept.set(path, k);
    k.users += 1;
    return k;
  };
  return {
    async append(path, text) {
      const k = use(path);
      try {
        const fh = await k.handle;
        const bytes = Buffer.from(text);
        // A write to a regular file takes all its bytes but on a full disk; loop as appendFile does.
        for (let at = 0; at < bytes.length; ) {
          const { bytesWritten } = await fh.write(bytes, at, bytes.length - at);
          if (bytesWritten === 0) throw new Error(`写入 ${path} 失败：没有写入任何字节（磁盘已满？）`);
          at += bytesWritten;
        }
      } catch (err) {
        // The handle may be the cause (a full disk, an I/O error): the next append opens afresh.
        if (kept.get(path) === k) kept.delete(path);
        k.users -= 1;
        void closeHandle(k);
        throw err;
      }
      k.users -= 1;
      trim();
    },
    release,
    async close() {
      const all = [...kept.values()];
      kept.clear();
      await Promise.all(all.map(closeHandle));
    },
  };
}
