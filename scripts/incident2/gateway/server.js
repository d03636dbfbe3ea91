'use strict';
// The second incident's public API gateway (Node http + winston).
//
// Each request gets an id (the client's X-Request-ID, else a UUID v4) and a new
// W3C trace: a 16-byte trace id and the gateway's own 8-byte span id, sent to
// the service it calls as `traceparent: 00-<trace>-<span>-01`. The request id
// is logged here only; downstream services know the request by its trace.
//
// When a downstream answers 5xx or cannot be reached, the gateway logs an
// UpstreamError ("upstream checkout responded 502") whose stack is the same
// for every upstream failure, and answers 502 (504 on its own timeout).

const http = require('node:http');
const crypto = require('node:crypto');
const winston = require('winston');

const version = process.env.GATEWAY_VERSION || 'dev';
const host = process.env.GATEWAY_HOST || 'gateway-0';
const [listenHost, listenPort] = (process.env.GATEWAY_ADDR || '127.0.0.1:27290').split(':');
const upstreams = {
  checkout: [process.env.CHECKOUT_URL || 'http://127.0.0.1:27291'],
  inventory: [process.env.INVENTORY_URL || 'http://127.0.0.1:27292'],
  payments: (process.env.PAYMENTS_URLS || 'http://127.0.0.1:27294,http://127.0.0.1:27295').split(','),
};
const rr = { checkout: 0, inventory: 0, payments: 0 };
const TIMEOUT_MS = 5000;

const logger = winston.createLogger({
  level: 'info',
  format: winston.format.combine(winston.format.timestamp(), winston.format.errors({ stack: true }), winston.format.json()),
  defaultMeta: { service: 'gateway', version, host },
  transports: [new winston.transports.Console()],
});

class UpstreamError extends Error {
  constructor(message, upstream, status) {
    super(message);
    this.name = 'UpstreamError';
    this.upstream = upstream;
    this.status = status;
  }
}

// upstreamError is the one place every upstream failure is made (from the
// failure call() reports, in handle()), so every one of them has the same stack.
function upstreamError(failure) {
  return new UpstreamError(`upstream ${failure.upstream} ${failure.detail}`, failure.upstream, failure.status);
}

// failure describes why a downstream call failed.
function failure(upstream, detail, status) {
  return { upstream, detail, status };
}

function hex(n) {
  return crypto.randomBytes(n).toString('hex');
}

// call sends one request to a downstream service and resolves {status, body}.
function call(ctx, upstream, method, path, body) {
  const targets = upstreams[upstream];
  const base = new URL(targets[rr[upstream]++ % targets.length]);
  const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: base.hostname, port: base.port, method, path,
      headers: {
        'content-type': 'application/json',
        'content-length': data ? data.length : 0,
        traceparent: `00-${ctx.traceId}-${ctx.spanId}-01`,
      },
      timeout: TIMEOUT_MS,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let parsed = null;
        try { parsed = JSON.parse(text); } catch { parsed = { raw: text }; }
        if (res.statusCode >= 500) {
          reject(failure(upstream, `responded ${res.statusCode}`, 502));
          return;
        }
        resolve({ status: res.statusCode, body: parsed });
      });
      res.on('error', (e) => reject(failure(upstream, `request failed: ${e.message}`, 502)));
    });
    let timedOut = false;
    req.on('timeout', () => { timedOut = true; req.destroy(); });
    req.on('error', (e) => {
      // A host that refused the connection never saw the request: try the next one.
      if (e.code === 'ECONNREFUSED' && targets.length > 1 && !ctx.retried) {
        ctx.retried = true;
        call(ctx, upstream, method, path, body).then(resolve, reject);
        return;
      }
      reject(timedOut ? failure(upstream, `timed out after ${TIMEOUT_MS}ms`, 504)
        : failure(upstream, `request failed: ${e.message}`, 502));
    });
    if (data) req.write(data);
    req.end();
  });
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      try { resolve(JSON.parse(Buffer.concat(chunks).toString() || '{}')); } catch { resolve(null); }
    });
  });
}

// Each route: [method, pattern, needs a user, handler(ctx, params, body) -> {status, body}].
const routes = [
  ['GET', /^\/api\/products$/, false, (ctx) => {
    const q = ctx.url.searchParams.get('q') || '';
    if (!q) return { status: 400, body: { error: 'q is required' } };
    return call(ctx, 'inventory', 'GET', `/products?q=${encodeURIComponent(q)}`);
  }, 'GET /api/products'],
  ['GET', /^\/api\/products\/([A-Z0-9-]+)$/, false, (ctx, m) => call(ctx, 'inventory', 'GET', `/products/${m[1]}`), 'GET /api/products/:sku'],
  ['POST', /^\/api\/cart\/items$/, true, (ctx, m, body) => call(ctx, 'inventory', 'POST', '/stock/check', body), 'POST /api/cart/items'],
  ['POST', /^\/api\/cart\/coupon$/, true, (ctx, m, body) => call(ctx, 'checkout', 'POST', '/coupons/validate', body), 'POST /api/cart/coupon'],
  ['POST', /^\/api\/checkout$/, true, (ctx, m, body) => call(ctx, 'checkout', 'POST', '/checkout', { ...body, user: ctx.user }), 'POST /api/checkout'],
  ['GET', /^\/api\/orders\/(\d+)$/, true, (ctx, m) => call(ctx, 'checkout', 'GET', `/orders/${m[1]}`), 'GET /api/orders/:id'],
  ['GET', /^\/api\/wallet$/, true, (ctx) => call(ctx, 'payments', 'GET', `/wallet/${ctx.user}`), 'GET /api/wallet'],
];

const validID = /^[A-Za-z0-9._:-]{8,128}$/;

async function handle(req, res) {
  const start = process.hrtime.bigint();
  const given = req.headers['x-request-id'];
  const ctx = {
    requestId: typeof given === 'string' && validID.test(given) ? given : crypto.randomUUID(),
    traceId: hex(16),
    spanId: hex(8),
    url: new URL(req.url, 'http://gateway'),
    user: req.headers['x-user-id'] || null,
  };
  const log = logger.child({ request_id: ctx.requestId, trace_id: ctx.traceId, span_id: ctx.spanId });
  res.setHeader('x-request-id', ctx.requestId);
  res.setHeader('traceparent', `00-${ctx.traceId}-${ctx.spanId}-01`);

  let status = 404;
  let body = { error: 'not found' };
  let route = null;
  if (req.method === 'GET' && ctx.url.pathname === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', version }));
    return;
  }
  for (const [method, re, needsUser, fn, name] of routes) {
    const m = ctx.url.pathname.match(re);
    if (!m || req.method !== method) continue;
    route = name;
    if (needsUser && !ctx.user) {
      status = 401;
      body = { error: 'sign in first' };
      break;
    }
    const input = method === 'POST' ? await readBody(req) : undefined;
    if (method === 'POST' && input === null) {
      status = 400;
      body = { error: 'invalid JSON' };
      break;
    }
    try {
      ({ status, body } = await fn(ctx, m, input));
    } catch (f) {
      if (!f || !f.upstream) throw f;
      const err = upstreamError(f);
      status = err.status;
      body = { error: status === 504 ? 'gateway timeout' : 'bad gateway', request_id: ctx.requestId };
      log.error(err.message, { error_type: err.name, upstream: err.upstream, stack: err.stack, method: req.method, url: req.url, route });
    }
    break;
  }
  const durationMs = Number(process.hrtime.bigint() - start) / 1e6;
  log.info('request completed', {
    method: req.method, url: req.url, route, status, duration_ms: Math.round(durationMs * 1000) / 1000, user_id: ctx.user,
  });
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((err) => {
    logger.error(`unhandled: ${err.message}`, { error_type: err.name, stack: err.stack });
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});
server.keepAliveTimeout = 5000;
server.listen(Number(listenPort), listenHost, () => logger.info('gateway listening', { addr: `${listenHost}:${listenPort}` }));
process.on('SIGTERM', () => {
  logger.info('shutting down');
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 3000).unref();
});
