/**
 * Append-only files kept open: the lowdb store's journals (a conversation's commits, a tally's
 * adds) are appended to many times in a row, and `appendFile` opens and closes the file each time
 * — three trips to libuv's thread pool and three system calls per line, most of a small append's
 * cost (measured: ~90 µs of CPU per `appendFile` against ~25 µs per write on a kept handle).
 *
 * - A file is opened in append mode ('a', O_APPEND) on its first append and kept, at most `max`
 *   at once; the least recently used is closed when another is needed. Closing waits for a write in
 *   flight on that handle (FileHandle.close does), so an evicted handle never cuts a line.
 * - Durability is unchanged: a write resolves once the kernel has the bytes (as `appendFile`'s
 *   did; neither syncs to disk), so an acknowledged line survives the process being killed.
 * - Before a file is removed or renamed over, its caller calls `release`: a handle kept across an
 *   unlink would go on writing to the unlinked file. (Truncating needs no release: in append mode
 *   the next write goes to the new end.)
 * The callers serialise the appends to one file (a document's changes go one at a time; a tally
 * writes one batch at a time), so two writes to the same file are never in flight together.
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

export function createAppendFiles(max = 128): AppendFiles {
  // Insertion order is recency: a use moves the path to the end.
  const kept = new Map<string, Promise<FileHandle>>();
  const closeHandle = async (handle: Promise<FileHandle>) => {
    const fh = await handle.catch(() => null);
    await fh?.close().catch(() => {});
  };
  const release = async (path: string) => {
    const handle = kept.get(path);
    if (!handle) return;
    kept.delete(path);
    await closeHandle(handle);
  };
  const handleOf = (path: string): Promise<FileHandle> => {
    let handle = kept.get(path);
    if (handle) {
      kept.delete(path);
      kept.set(path, handle);
      return handle;
    }
    while (kept.size >= max) {
      const [oldest, h] = kept.entries().next().value as [string, Promise<FileHandle>];
      kept.delete(oldest);
      void closeHandle(h);
    }
    handle = open(path, 'a');
    kept.set(path, handle);
    // A failed open is not kept: the next append tries again.
    handle.catch(() => {
      if (kept.get(path) === handle) kept.delete(path);
    });
    return handle;
  };
  return {
    async append(path, text) {
      const fh = await handleOf(path);
      try {
        const bytes = Buffer.from(text);
        // A write to a regular file takes all its bytes but on a full disk; loop as appendFile does.
        for (let at = 0; at < bytes.length; ) {
          const { bytesWritten } = await fh.write(bytes, at, bytes.length - at);
          if (bytesWritten === 0) throw new Error(`写入 ${path} 失败：没有写入任何字节（磁盘已满？）`);
          at += bytesWritten;
        }
      } catch (err) {
        // The handle may be the cause (closed under us, a full disk): the next append opens afresh.
        if (kept.get(path) && (await kept.get(path)!.catch(() => null)) === fh) await release(path);
        throw err;
      }
    },
    release,
    async close() {
      const all = [...kept.values()];
      kept.clear();
      await Promise.all(all.map(closeHandle));
    },
  };
}
