'use strict'
// gateway: the sample incident's public API. Node's http module, logging with
// pino + pino-http (one JSON line per request, req.id = the request id).
//
// It gives every request an id (the caller's X-Request-ID, else a UUID v4),
// forwards it downstream in X-Request-ID, and when a downstream service answers
// 5xx or cannot be reached it logs the failure ("upstream orders returned 500")
// and answers 502/503/504 itself.
//
// Environment: GATEWAY_ADDR (127.0.0.1:27180), ORDERS_URL, INVENTORY_URL,
// GATEWAY_VERSION (default: package.json's version).

const http = require('node:http')
const os = require('node:os')
const { randomUUID } = require('node:crypto')
const pino = require('pino')
const pinoHttp = require('pino-http')

const VERSION = process.env.GATEWAY_VERSION || require('./package.json').version
const ADDR = process.env.GATEWAY_ADDR || '127.0.0.1:27180'
const UPSTREAMS = {
  orders: process.env.ORDERS_URL || 'http://127.0.0.1:27181',
  inventory: process.env.INVENTORY_URL || 'http://127.0.0.1:27182'
}
const UPSTREAM_TIMEOUT_MS = 3000
const MAX_BODY = 64 * 1024

const logger = pino(
  { name: 'gateway', base: { pid: process.pid, hostname: os.hostname(), version: VERSION } },
  pino.destination({ dest: 1, sync: true })
)

const httpLogger = pinoHttp({
  logger,
  genReqId (req, res) {
    const id = req.headers['x-request-id'] || randomUUID()
    res.setHeader('X-Request-ID', id)
    return id
  },
  customLogLevel (req, res, err) {
    if (err || res.statusCode >= 500) return 'error'
    if (res.statusCode >= 400) return 'warn'
    return 'info'
  },
  customProps (req) {
    const user = req.headers['x-user-id']
    return user ? { user_id: user } : {}
  },
  serializers: {
    req (req) {
      return { id: req.id, method: req.method, url: req.url, remoteAddress: req.remoteAddress }
    },
    res (res) {
      return { statusCode: res.statusCode }
    }
  }
})

// A fresh connection per upstream call: a deploy that drains the old process
// never hands us a half-closed keep-alive socket.
const agent = new http.Agent({ keepAlive: false })

// UpstreamError is a failure of a downstream service, as the gateway saw it.
class UpstreamError extends Error {
  constructor (message, upstream, status, cause) {
    super(message, cause ? { cause } : undefined)
    this.name = 'UpstreamError'
    this.upstream = upstream
    if (status) this.status = status
  }
}

const needsUser = (req) => Boolean(req.headers['x-user-id'])

const ROUTES = [
  { method: 'GET', re: /^\/api\/orders\/[^/]+$/, upstream: 'orders' },
  { method: 'POST', re: /^\/api\/orders$/, upstream: 'orders' },
  { method: 'GET', re: /^\/api\/users\/[^/]+\/profile$/, upstream: 'orders' },
  { method: 'GET', re: /^\/api\/catalog\/search$/, upstream: 'inventory' },
  { method: 'GET', re: /^\/api\/cart$/, upstream: 'orders', auth: needsUser },
  { method: 'POST', re: /^\/api\/cart\/items$/, upstream: 'orders', auth: needsUser },
  { method: 'POST', re: /^\/api\/checkout$/, upstream: 'orders', auth: needsUser }
]

function send (res, status, body) {
  const data = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) })
  res.end(data)
}

function fail (req, res, status, err) {
  req.log.error({ err, upstream: err.upstream, upstream_status: err.status }, err.message)
  res.err = err
  send(res, status, { error: http.STATUS_CODES[status].toLowerCase(), request_id: req.id })
}

function proxy (req, res, upstream, body) {
  const url = new URL(req.url, UPSTREAMS[upstream])
  const headers = { 'x-request-id': req.id, accept: 'application/json' }
  if (req.headers['x-user-id']) headers['x-user-id'] = req.headers['x-user-id']
  if (body.length > 0) {
    headers['content-type'] = 'application/json'
    headers['content-length'] = body.length
  }
  const up = http.request(url, { method: req.method, headers, agent, timeout: UPSTREAM_TIMEOUT_MS }, (ures) => {
    const chunks = []
    ures.on('data', (c) => chunks.push(c))
    ures.on('error', (e) => fail(req, res, 502, new UpstreamError(`upstream ${upstream} response failed: ${e.message}`, upstream, ures.statusCode, e)))
    ures.on('end', () => {
      if (ures.statusCode >= 500) {
        fail(req, res, 502, new UpstreamError(`upstream ${upstream} returned ${ures.statusCode}`, upstream, ures.statusCode))
        return
      }
      const payload = Buffer.concat(chunks)
      res.writeHead(ures.statusCode, { 'content-type': 'application/json', 'content-length': payload.length })
      res.end(payload)
    })
  })
  up.on('timeout', () => {
    up.destroy(new UpstreamError(`upstream ${upstream} timed out after ${UPSTREAM_TIMEOUT_MS} ms`, upstream))
  })
  up.on('error', (e) => {
    if (res.headersSent) return
    if (e instanceof UpstreamError) {
      fail(req, res, 504, e)
      return
    }
    fail(req, res, 503, new UpstreamError(`upstream ${upstream} unreachable: ${e.message}`, upstream, undefined, e))
  })
  up.end(body)
}

function handle (req, res) {
  const path = req.url.split('?', 1)[0]
  const route = ROUTES.find((r) => r.method === req.method && r.re.test(path))
  if (!route) {
    send(res, 404, { error: 'not found', request_id: req.id })
    return
  }
  if (route.auth && !route.auth(req)) {
    send(res, 401, { error: 'sign in first', request_id: req.id })
    return
  }
  const chunks = []
  let size = 0
  req.on('data', (c) => {
    size += c.length
    if (size <= MAX_BODY) chunks.push(c)
  })
  req.on('end', () => {
    if (size > MAX_BODY) {
      send(res, 413, { error: 'request body too large', request_id: req.id })
      return
    }
    proxy(req, res, route.upstream, Buffer.concat(chunks))
  })
}

const server = http.createServer((req, res) => {
  if (req.url === '/healthz') {
    send(res, 200, { status: 'ok', version: VERSION })
    return
  }
  httpLogger(req, res)
  handle(req, res)
})

function shutdown (signal) {
  logger.info({ signal }, 'shutting down')
  server.close(() => {
    logger.info('stopped')
    process.exit(0)
  })
  server.closeIdleConnections()
  setTimeout(() => process.exit(0), 5000).unref()
}
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)

const [host, port] = [ADDR.slice(0, ADDR.lastIndexOf(':')), Number(ADDR.slice(ADDR.lastIndexOf(':') + 1))]
server.listen(port, host, () => {
  logger.info({ addr: ADDR, upstreams: UPSTREAMS }, 'starting')
})
