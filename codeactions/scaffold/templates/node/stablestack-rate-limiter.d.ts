// Types of stablestack-rate-limiter.js (written by `stablestack add-rate-limiter`).
// Framework types are structural so the module needs no @types package of any framework.

/** One limit: at most `requests` per sliding `window` seconds. */
export interface Limit {
  /** Requests admitted per window (positive integer). */
  requests: number;
  /** Window length in seconds (> 0; fractions are kept to the millisecond). */
  window: number;
  /**
   * Label in the RateLimit headers. Default: `default` for a single limit, else
   * `<requests>-per-<window>s`. (It is not part of the Redis key; the call's `name` is.)
   */
  name?: string;
}

/** A node-redis v4 or v5 client or cluster (`createClient` / `createCluster`). */
export interface NodeRedisLike {
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** An ioredis client or cluster (`new Redis()` / `new Redis.Cluster()`). */
export interface IORedisLike {
  evalsha(sha: string, numkeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  eval(script: string, numkeys: number, ...keysAndArgs: string[]): Promise<unknown>;
}

export interface Logger {
  warn(message: string): void;
}

export interface CommonOptions<Req = unknown> {
  /**
   * Counter scope, part of the Redis key. Default: the route pattern (Express, Fastify
   * route hooks, Hono, Koa with @koa/router), else `default`. Give a Python route and a
   * Node route the same `name` (and limits) to share their counters.
   */
  name?: string;
  /**
   * Redis client to use. Default: one shared client created from `url`, REDIS_URL or
   * redis://127.0.0.1:6379 with `redis` (node-redis) or else `ioredis`, whichever is installed.
   */
  redis?: NodeRedisLike | IORedisLike;
  /**
   * Redis URL when the module creates the client. Default: REDIS_URL. With
   * STABLESTACK_REDIS_CLUSTER=1 the URL seeds a Redis Cluster client.
   */
  url?: string;
  /** Key prefix shared with the Python module (default `stablestack`; no `{` or `}`). */
  prefix?: string;
  /**
   * Identity of the caller, used verbatim (prefix it yourself: `user:42`). Default: the
   * client address (`ip:<IPv4>` or `ip:<IPv6 /64>`). Return null, undefined or '' to leave
   * the request unlimited.
   */
  key?: (req: Req) => string | number | null | undefined | Promise<string | number | null | undefined>;
  /**
   * Proxies whose X-Forwarded-For is believed: addresses, CIDRs, or 'loopback', 'private',
   * 'linklocal', as a list or a comma-separated string. The client is the rightmost hop that
   * is not one of them. Default: STABLESTACK_TRUSTED_PROXIES, else none (X-Forwarded-For is
   * ignored).
   */
  trustedProxies?: string | string[];
  /**
   * A header your platform sets to the client address and clients cannot forge (for example
   * 'x-real-ip' on Vercel, 'cf-connecting-ip' behind Cloudflare). Default: none.
   */
  ipHeader?: string;
  /** Allow requests when Redis fails (default true); false answers 503 with Retry-After. */
  failOpen?: boolean;
  /** Send RateLimit-Policy and RateLimit headers (default true). */
  headers?: boolean;
  /** Also send X-RateLimit-Limit/-Remaining/-Reset (default false). */
  legacyHeaders?: boolean;
  /** Redis connect timeout in ms (default 100). */
  connectTimeoutMs?: number;
  /** Budget for one check in ms before failing open/closed (default 100). */
  commandTimeoutMs?: number;
  /** Consecutive failures that open the circuit breaker (default 3). */
  breakerThreshold?: number;
  /** First and longest breaker backoff in ms (defaults 1000 and 30000). */
  breakerMinBackoffMs?: number;
  breakerMaxBackoffMs?: number;
  /** At most one warning per this many ms (default 60000). */
  warnIntervalMs?: number;
  /** Where warnings go (default console). */
  logger?: Logger;
  /** Units charged per request (integer >= 0, default 1). */
  cost?: number;
}

/**
 * One limit inline (`requests`, `window`), several in `limits`, or both: all are checked
 * together in one Redis call.
 */
export type RateLimitOptions<Req = unknown> = CommonOptions<Req> &
  ({ requests: number; window: number; limits?: Limit[] } | { limits: Limit[]; requests?: undefined; window?: undefined });

export interface LimitResult {
  name: string;
  limit: number;
  window: number;
  /** Requests left now; null when Redis failed. */
  remaining: number | null;
  /** Seconds until the quota is fully restored; null when Redis failed. */
  resetSeconds: number | null;
}

export interface Decision {
  allowed: boolean;
  /** Whole seconds (>= 1) until a retry would pass; 0 when allowed. */
  retryAfter: number;
  results: LimitResult[];
  /** Set when Redis failed and the decision came from `failOpen`. */
  error: Error | null;
}

export interface Limiter {
  /**
   * Checks and, when every limit admits it, counts one request of `identity` (e.g.
   * `user:42`) under `scope` (default: the options' `name`, else `default`). Never throws.
   */
  check(identity: string, scope?: string): Promise<Decision>;
  /** Closes a connection the module created for this limiter. */
  close(): Promise<void>;
  readonly limits: ReadonlyArray<{ label: string; requests: number; windowMs: number; windowSeconds: number }>;
}

export function createLimiter(options: RateLimitOptions<never>): Limiter;

/** Minimal Node request/response shapes (Express, Connect, plain node:http). */
export interface NodeRequest {
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string };
}
export interface NodeResponse {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

export interface RateLimitMiddleware<Req = NodeRequest> {
  (req: Req, res: NodeResponse, next: (err?: unknown) => void): void;
  limiter: Limiter;
}

/** Express / Connect middleware. */
export function rateLimit<Req extends NodeRequest = NodeRequest>(options: RateLimitOptions<Req>): RateLimitMiddleware<Req>;

export interface FastifyRequestLike {
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string };
  raw?: { socket?: { remoteAddress?: string } };
}
/**
 * An onRequest hook. Its parameters are left open so it fits any Fastify version's hook
 * type, whatever the route's generics; `Req` only types your `key` function.
 */
export interface FastifyRateLimitHook {
  (request: any, reply: any): Promise<unknown>;
  limiter: Limiter;
}

/** Fastify onRequest hook, per route: `{ onRequest: fastifyRateLimit(opts) }`. */
export function fastifyRateLimit<Req = FastifyRequestLike>(options: RateLimitOptions<Req>): FastifyRateLimitHook;

/** Fastify plugin limiting every route of the instance: `fastify.register(plugin, opts)`. */
export function fastifyRateLimitPlugin(
  fastify: { addHook(name: 'onRequest', hook: (...args: any[]) => unknown): unknown },
  options: RateLimitOptions<FastifyRequestLike>,
): Promise<void>;

export interface HonoContextLike {
  env?: unknown;
  req: { raw: Request; header(name: string): string | undefined };
  res: Response;
  text(body: string, status?: any, headers?: Record<string, string>): Response;
}

export interface HonoRateLimitMiddleware<C = HonoContextLike> {
  (c: C, next: () => Promise<void>): Promise<Response | void>;
  limiter: Limiter;
}

/** Hono middleware (peer address from @hono/node-server, Bun or Deno). */
export function honoRateLimit<C extends HonoContextLike = HonoContextLike>(options: RateLimitOptions<C>): HonoRateLimitMiddleware<C>;

export interface KoaContextLike {
  headers: Record<string, string | string[] | undefined>;
  req: { socket?: { remoteAddress?: string } };
  set(name: string, value: string): void;
  status: number;
  type: string;
  body: unknown;
}

export interface KoaRateLimitMiddleware<C = KoaContextLike> {
  (ctx: C, next: () => Promise<unknown>): Promise<unknown>;
  limiter: Limiter;
}

/** Koa middleware (per route with @koa/router, or app-wide with app.use). */
export function koaRateLimit<C extends KoaContextLike = KoaContextLike>(options: RateLimitOptions<C>): KoaRateLimitMiddleware<C>;

/**
 * Next.js App Router route handler wrapper: `export const POST = withRateLimit(handler, opts)`.
 * The handler keeps its signature; a denied request gets 429 without calling it.
 */
export function withRateLimit<R extends Request, Ctx = unknown>(
  handler: (request: R, context: Ctx) => Response | Promise<Response>,
  options: RateLimitOptions<R>,
): ((request: R, context: Ctx) => Promise<Response>) & { limiter: Limiter };

/**
 * Next.js Pages Router API route wrapper: `export default withRateLimit(function handler(req, res) {...}, opts)`,
 * for `(req: IncomingMessage, res: ServerResponse) => unknown` handlers (NextApiRequest / NextApiResponse;
 * typed structurally, as NodeRequest / NodeResponse, so no @types package is needed).
 * Works like the Express middleware: headers on `res`, 429 / 503 answered without calling the handler
 * (the wrapper then resolves to undefined).
 */
export function withRateLimit<Req extends NodeRequest = NodeRequest, Res extends NodeResponse = NodeResponse, T = unknown>(
  handler: (req: Req, res: Res) => T,
  options: RateLimitOptions<Req>,
): ((req: Req, res: Res) => Promise<Awaited<T> | undefined>) & { limiter: Limiter };

/** Closes the connections the module opened itself (tests, scripts, graceful shutdown). */
export function closeRateLimiter(): Promise<void>;

/** The canonical Lua script and its SHA-1, for inspection and tests. */
export const SLIDING_WINDOW_LUA: string;
export const SLIDING_WINDOW_SHA: string;
