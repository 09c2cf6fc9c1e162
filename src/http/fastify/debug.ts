/**
 * The debug pages as a Fastify plugin: the same goroutine profiles, leak report, Prometheus
 * metrics and live view as strand/http's debug handler (see `src/http/debug.ts` for the paths
 * and forms), as Fastify routes. Register it after the strand plugin (its live view streams
 * through `reply.sse`), without a prefix, and only on an instance that listens on a loopback
 * address — never on the public one.
 *
 * ```ts
 * const dbg = fastify();
 * await dbg.register(strand);
 * await dbg.register(strandDebug);
 * await dbg.listen({ host: '127.0.0.1', port: 6060 });
 * ```
 *
 * @module
 */

import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type DebugOptions, LIVE_EVENTS_PATH, debugResponse } from '../debug.js';
import { LIVE_CSP, liveFeed } from '../debug-live.js';

const plugin: FastifyPluginAsync<DebugOptions> = async (app, opts) => {
  const interval = opts.liveInterval ?? 1000;
  const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const url = new URL(request.url, 'http://localhost');
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Cache-Control', 'no-store');
    if (url.pathname === LIVE_EVENTS_PATH) {
      reply.header('Content-Security-Policy', LIVE_CSP);
      return reply.sse(liveFeed(request.context, interval), { event: 'snapshot' });
    }
    if (url.pathname === '/debug/strand') return reply.redirect('/debug/strand/', 301);
    const res = await debugResponse(url.pathname, url.searchParams);
    if (res === null) return reply.code(404).type('text/plain; charset=utf-8').send(url.pathname.startsWith('/debug/pprof/') ? 'Unknown profile\n' : '404 page not found\n');
    if (res.csp) reply.header('Content-Security-Policy', LIVE_CSP);
    return reply.code(res.status).type(res.contentType).send(res.body);
  };
  for (const url of ['/debug/pprof/*', '/debug/strand', '/debug/strand/*', '/metrics']) {
    app.route({ method: ['GET', 'HEAD'], url, handler: handle });
  }
};

/**
 * The debug pages plugin (`app.register(strandDebug, { liveInterval })`): `/debug/pprof/`,
 * `/debug/pprof/goroutine`, `/debug/pprof/goroutineleak`, `/metrics`, `/debug/strand/`. Needs
 * the strand plugin registered first. Mount it on a loopback-only instance.
 */
export const strandDebug = fp(plugin, { name: 'strand-debug', fastify: '5.x', dependencies: ['strand'] });
