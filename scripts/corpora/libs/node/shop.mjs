// The orders service every Node producer runs: a real HTTP server on
// 127.0.0.1 and a client sending it the same eight requests. Two checkouts
// hit one bug (a SKU missing from the catalog: TypeError in priceFor), one a
// body that is not JSON (SyntaxError from JSON.parse in readOrder).
//
// A producer passes a logger factory: forRequest(id) returns
// { info(msg, fields), error(msg, err, fields) } bound to that request in the
// library's own way, and optionally warn(msg, fields), called for a request
// answered 404; startup(msg, fields) logs a line without a request.
import http from 'node:http';
import { createHash } from 'node:crypto';

export const service = 'orders';

const catalog = { 'SKU-1042': { cents: 1999 }, 'SKU-2001': { cents: 450 } };

function priceFor(sku, qty) {
  return catalog[sku].cents * qty;
}

function readOrder(body) {
  const order = JSON.parse(body);
  return { sku: order.sku, qty: Number(order.qty) };
}

const requests = [
  ['GET', '/api/orders/1042', null, 'u-1017'],
  ['POST', '/api/checkout', '{"sku":"SKU-1042","qty":2}', 'u-1017'],
  ['POST', '/api/checkout', '{"sku":"SKU-9999","qty":1}', 'u-2231'], // priceFor bug
  ['GET', '/api/orders/7', null, ''],
  ['POST', '/api/checkout', '{"sku":"SKU-2001",qty:3}', 'u-3301'], // not JSON
  ['POST', '/api/checkout', '{"sku":"SKU-2001","qty":3}', 'u-2231'],
  ['POST', '/api/checkout', '{"sku":"SKU-7777","qty":4}', 'u-4410'], // priceFor bug
  ['GET', '/api/orders/1042', null, 'u-3301'],
];

// requestId is the id of the i-th request (0-based) of producer lib: a UUID
// derived from both, so each file has its own ids.
export function requestId(lib, i) {
  const h = createHash('sha1').update(`${lib}/${i}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function handle(req, body) {
  if (req.method === 'GET') {
    const id = req.url.split('/').pop();
    return id === '1042' ? [200, { id: 1042 }] : [404, { error: 'not found' }];
  }
  const order = readOrder(body);
  return [200, { total_cents: priceFor(order.sku, order.qty) }];
}

// run serves the requests and resolves when all are answered.
export async function run(lib, { startup, forRequest }) {
  const server = http.createServer((req, res) => {
    const id = req.headers['x-request-id'];
    const log = forRequest(id);
    const start = process.hrtime.bigint();
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      log.info('request started', { method: req.method, path: req.url, user_id: req.headers['x-user-id'] || undefined });
      let status, out;
      try {
        [status, out] = handle(req, body);
      } catch (err) {
        log.error('checkout failed', err, { method: req.method, path: req.url });
        [status, out] = [500, { error: 'internal error' }];
      }
      if (status === 404 && log.warn) log.warn('order not found', { method: req.method, path: req.url, status });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out));
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      log.info('request completed', { method: req.method, path: req.url, status, duration_ms: Math.round(ms * 1000) / 1000 });
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  startup('listening', { addr: `127.0.0.1:${port}` });
  await drive(lib, port);
  await new Promise((ok) => server.close(ok));
}

// drive sends the eight requests to a server of the producer lib on port
// (for producers that run their own framework's server with handle).
export async function drive(lib, port) {
  for (const [i, [method, path, body, user]] of requests.entries()) {
    const headers = { 'x-request-id': requestId(lib, i) };
    if (user) headers['x-user-id'] = user;
    if (body) headers['content-type'] = 'application/json';
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers, body: body ?? undefined });
    await res.text();
  }
}
