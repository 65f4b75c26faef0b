/**
 * Vitest global setup: say plainly, once, when the browser tests will be skipped because Debian's
 * Chromium is not installed (a passing run would otherwise hide that they did not run).
 */
import { existsSync } from 'node:fs';

export default function notice(): void {
  if (existsSync('/usr/bin/chromium')) return;
  process.stderr.write(
    '\n注意：没有找到 /usr/bin/chromium，浏览器测试（test/browser/*）将被跳过。\n' +
      'Notice: /usr/bin/chromium is missing, so the browser tests (test/browser/*) are SKIPPED.\n' +
      'Install Debian\'s Chromium to run them: sudo apt-get install -y chromium\n\n',
  );
}
