/**
 * The baselines `npm run bench` measures Yici's chat against, in the same run (issue 16):
 *  - `bare`: an Express 5 app that parses the JSON body of POST /api/chat and answers a small JSON;
 *  - `write`: the same, plus one atomic write of a ~12 KB document per request (write a temporary
 *    file, then rename it over the old one) — what storing a conversation costs at the least.
 * Usage: tsx scripts/lib/baseline-server.ts bare|write PORT
 */
import { mkdtemp, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';

const [mode, port] = [process.argv[2], Number(process.argv[3])];
const dir = await mkdtemp(join(tmpdir(), 'yici-baseline-'));
const padding = 'x'.repeat(12 * 1024);
let n = 0;
const app = express();
app.use(express.json());
app.post('/api/chat', async (req, res) => {
  const body = req.body as { sessionId?: string; text?: string };
  if (mode === 'write') {
    const file = join(dir, `${String(body.sessionId ?? 'x').replace(/[^\w-]/g, '')}.json`);
    const tmp = `${file}.${n++}.tmp`;
    await writeFile(tmp, JSON.stringify({ sessionId: body.sessionId, text: body.text, padding }));
    await rename(tmp, file);
  }
  res.json({ sessionId: body.sessionId, replies: [{ type: 'text', text: 'ok' }] });
});
app.listen(port, '127.0.0.1', () => console.log('ready'));
