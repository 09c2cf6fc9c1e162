/**
 * No Docker engine runs here, so compose.yaml (two chat nodes and Redis) is checked statically:
 * its chat services build the single-node image of the Dockerfile and run that image's CMD plus
 * `--redis` pointing at the compose file's Redis service, with flags the chat accepts; ports map
 * to what the image EXPOSEs without clashing on the host; the chats wait for a healthy Redis.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../load-tests/lib/env.js';

const root = repoRoot();

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string[] | string;
  ports?: string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string[] | string };
}

const compose = parse(readFileSync(join(root, 'compose.yaml'), 'utf8')) as { services: Record<string, Service> };
const services = compose.services;
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const cmdLine = /^CMD\s+(\[.*\])\s*$/m.exec(dockerfile);
const imageCmd = JSON.parse(cmdLine![1]!) as string[];
const exposed = (/^EXPOSE\s+(.*)$/m.exec(dockerfile)?.[1] ?? '').trim().split(/\s+/).sort();
const redisName = Object.keys(services).find((n) => /^redis(:|$)/.test(services[n]!.image ?? ''));
const chats = Object.entries(services).filter(([n]) => n !== redisName);
const words = (c: string[] | string | undefined): string[] => (Array.isArray(c) ? c : (c ?? '').split(/\s+/).filter(Boolean));

t.test('compose.yaml: one Redis with a health check, and at least two chat nodes', { timeout: 5_000 }, async (t) => {
  t.ok(redisName, 'a service running the redis image');
  const hc = words(services[redisName!]!.healthcheck?.test);
  t.ok(hc.includes('redis-cli') && hc.includes('ping'), `Redis health check pings it (${hc.join(' ')})`);
  t.ok(chats.length >= 2, `${chats.length} chat services`);
});

t.test('compose.yaml: each chat node builds the Dockerfile image and runs its CMD plus --redis at the Redis service', { timeout: 5_000 }, async (t) => {
  for (const [name, s] of chats) {
    const ctx = typeof s.build === 'string' ? s.build : s.build?.context;
    t.equal(ctx, '.', `${name}: built from the repository root`);
    const df = typeof s.build === 'object' && s.build.dockerfile ? s.build.dockerfile : 'Dockerfile';
    t.ok(existsSync(join(root, df)), `${name}: ${df} exists`);
    const cmd = words(s.command);
    t.same(cmd.slice(0, imageCmd.length), imageCmd, `${name}: starts as the image's CMD does (${imageCmd.join(' ')})`);
    const i = cmd.indexOf('--redis');
    t.ok(i > 0, `${name}: has --redis`);
    const url = new URL(cmd[i + 1]!);
    t.equal(url.protocol, 'redis:');
    t.equal(url.hostname, redisName, `${name}: --redis names the Redis service`);
    t.equal(url.port || '6379', '6379');
    const dep = s.depends_on;
    const cond = Array.isArray(dep) ? undefined : dep?.[redisName!]?.condition;
    t.equal(cond, 'service_healthy', `${name}: starts once Redis is healthy`);
  }
});

t.test('compose.yaml: chat ports map to what the image exposes, each host port once', { timeout: 5_000 }, async (t) => {
  const hostPorts: string[] = [];
  for (const [name, s] of chats) {
    const maps = (s.ports ?? []).map((p) => String(p).split(':'));
    t.same(maps.map((m) => m.at(-1)).sort(), exposed, `${name}: maps the exposed ports ${exposed.join(', ')}`);
    hostPorts.push(...maps.map((m) => m.at(-2)!));
  }
  t.equal(new Set(hostPorts).size, hostPorts.length, `no host port used twice (${hostPorts.join(', ')})`);
});

t.test('compose.yaml: every flag a chat command passes is one the chat lists in --help', { timeout: 10_000 }, async (t) => {
  const entry = join(root, imageCmd[1]!);
  const help = await new Promise<string>((resolve, reject) => execFile(process.execPath, [entry, '--help'], (err, out) => (err ? reject(err) : resolve(out))));
  for (const [name, s] of chats) {
    for (const w of words(s.command).filter((x) => x.startsWith('--'))) t.ok(help.includes(`  ${w} `), `${name}: ${w} is a chat flag`);
  }
});
