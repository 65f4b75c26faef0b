/** Settings are read once through a schema: defaults when unset, every wrong variable named at once. */
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../src/config.js';

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    readConfig(env, '/srv/yici');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('readConfig', () => {
  it('starts on the embedded defaults with nothing set', () => {
    const c = readConfig({}, '/srv/yici');
    expect(c).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      dataDir: '/srv/yici/data',
      knowledgeDir: '/srv/yici/knowledge',
      flowsDir: '/srv/yici/flows',
      teamsEmulator: false,
      publishGate: true,
      publishFloor: 0.9,
      claimTimeoutMinutes: 10,
      logLevel: 'info',
      secureCookie: false,
      embedOrigins: '',
    });
    expect(c.adminUsername).toBeUndefined();
    expect(c.trustProxy).toBeUndefined();
    expect(c.databaseUrl).toBeUndefined();
  });

  it('treats an empty variable as unset', () => {
    expect(readConfig({ PORT: '', LOG_LEVEL: '', FLOWS_DIR: '' }, '/srv/yici')).toMatchObject({ port: 3000, logLevel: 'info', flowsDir: '/srv/yici/flows' });
  });

  it('reads each kind of value', () => {
    const c = readConfig(
      {
        PORT: '8080',
        FLOWS_DIR: 'my-flows',
        PUBLIC_URL: 'https://yici.example.gov.cn//',
        PUBLISH_TOP1_FLOOR: '1.5',
        RATE_LIMIT_CHAT_PER_MINUTE: '2.2',
        TRUST_PROXY: '1',
        EMBED_ORIGINS: 'https://a.example, https://b.example',
        TEAMS_SSO_RESOURCE: 'api://x',
        TEAMS_SSO_TENANT_ID: 't',
        DATABASE_URL: 'postgresql://yici:pw@db.internal:5432/yici',
      },
      '/srv/yici',
    );
    expect(c.port).toBe(8080);
    expect(c.flowsDir).toBe('/srv/yici/my-flows');
    expect(c.publicUrl).toBe('https://yici.example.gov.cn');
    expect(c.secureCookie).toBe(true);
    expect(c.publishFloor).toBe(1);
    expect(c.rateLimits.chatPerMinute).toBe(3);
    expect(c.trustProxy).toBe(1);
    expect(readConfig({ TRUST_PROXY: 'loopback' }).trustProxy).toBe('loopback');
    expect(c.embedOrigins).toBe('https://a.example https://b.example');
    expect(c.teamsSso).toEqual({ audience: 'api://x', tenantId: 't' });
    expect(c.databaseUrl).toBe('postgresql://yici:pw@db.internal:5432/yici');
    expect(readConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1/postgres' }).databaseUrl).toBe('postgres://postgres@127.0.0.1/postgres');
    // PostgreSQL's Unix socket on the same host (docs/deploy.md).
    expect(readConfig({ DATABASE_URL: 'postgres://yici@localhost/yici?host=/var/run/postgresql' }).databaseUrl).toBe('postgres://yici@localhost/yici?host=/var/run/postgresql');
  });

  it('names every wrong variable at once, with its value and what it should be', () => {
    const problems = problemsOf({ PORT: '70000', LOG_LEVEL: 'loud', CLAIM_TIMEOUT_MINUTES: '-1', PUBLISH_GATE: 'no', PUBLIC_URL: 'yici.example' });
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/PORT 应为 0 到 65535 的整数，当前为 "70000"/);
    expect(problems.join('\n')).toMatch(/LOG_LEVEL .*silent.*"loud"/);
    expect(problems.join('\n')).toMatch(/CLAIM_TIMEOUT_MINUTES 应为正数/);
    expect(problems.join('\n')).toMatch(/PUBLISH_GATE 应为 on 或 off/);
    expect(problems.join('\n')).toMatch(/PUBLIC_URL .*https:\/\//);
  });

  it('refuses half of a pair, and never echoes a password', () => {
    expect(problemsOf({ ADMIN_PASSWORD: 'Secret-2026' })).toEqual([expect.stringMatching(/^ADMIN_USERNAME .*ADMIN_PASSWORD/)]);
    expect(problemsOf({ TEAMS_SSO_RESOURCE: 'api://x' })).toEqual([expect.stringMatching(/TEAMS_SSO_TENANT_ID/)]);
    expect(problemsOf({ ADMIN_USERNAME: 'chief' }).join()).not.toMatch(/Secret/);
    expect(problemsOf({ PORT: 'x', ADMIN_USERNAME: 'a', ADMIN_PASSWORD: 'Secret-2026' }).join()).not.toMatch(/Secret/);
    // A connection address may carry a password too.
    expect(problemsOf({ DATABASE_URL: 'mysql://yici:Secret-2026@db/yici' })).toEqual([expect.stringMatching(/^DATABASE_URL 应为 postgres:\/\/ 或 postgresql:\/\/ 开头的连接地址/)]);
    expect(problemsOf({ DATABASE_URL: 'mysql://yici:Secret-2026@db/yici' }).join()).not.toMatch(/Secret/);
    expect(problemsOf({ DATABASE_URL: 'postgres://' })).toEqual([expect.stringMatching(/^DATABASE_URL /)]);
  });

  it('reads REDIS_URL (redis://, rediss:// or a Unix socket path), and names a wrong one without echoing it (it may hold a password)', () => {
    expect(readConfig({ REDIS_URL: '/run/redis/redis-server.sock' }).redisUrl).toBe('/run/redis/redis-server.sock');
    expect(readConfig({}).redisUrl).toBeUndefined();
    expect(readConfig({ REDIS_URL: 'redis://10.0.0.5:6379/0' }).redisUrl).toBe('redis://10.0.0.5:6379/0');
    expect(readConfig({ REDIS_URL: 'rediss://:pw@cache.example:6380' }).redisUrl).toBe('rediss://:pw@cache.example:6380');
    for (const wrong of ['http://10.0.0.5:6379', '10.0.0.5:6379', 'redis://:Secret-2026@host with space', 'run/redis.sock', '/run/redis.sock?db=2']) {
      const problems = problemsOf({ REDIS_URL: wrong });
      expect(problems, wrong).toEqual([expect.stringMatching(/^REDIS_URL 应为 redis:\/\/ 或 rediss:\/\/ 开头的地址，或 Redis 套接字文件的绝对路径（值不显示）$/)]);
    }
  });

  it('reads REDIS_PREFIX (ending in a colon), and refuses one that could run into other keys', () => {
    expect(readConfig({}).redisPrefix).toBeUndefined();
    expect(readConfig({ REDIS_PREFIX: 'yici-wuzhou:' }).redisPrefix).toBe('yici-wuzhou:');
    for (const wrong of ['yici', 'yici wuzhou:', '梧州:', ':', `${'x'.repeat(49)}:`]) {
      expect(problemsOf({ REDIS_PREFIX: wrong }), wrong).toEqual([expect.stringMatching(/^REDIS_PREFIX 应为 1 到 48 个英文字母/)]);
    }
  });

  it('ignores variables it does not know', () => {
    expect(() => readConfig({ PATH: '/usr/bin', HOME: '/root', npm_config_yes: 'true' })).not.toThrow();
  });
});
