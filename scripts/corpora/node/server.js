'use strict'
// A tiny orders API on 127.0.0.1 and a client that sends it the corpus
// scenario. Each producer passes its own middleware (the logger under test).

const http = require('node:http')
const { checkout } = require('./shop')

// Scenario: [method, url, headers]. x-request-id is set by the "load balancer".
const scenario = (ids) => [
  ['GET', '/api/orders/1042', { 'x-request-id': ids[0], 'x-user-id': 'u-1017' }],
  ['POST', '/api/checkout', { 'x-request-id': ids[1], 'x-user-id': 'u-2231' }],
  ['GET', '/api/orders/7?expand=items', { 'x-request-id': ids[2] }],
  ['GET', '/api/users/u-1017/cart', { 'x-request-id': ids[3], 'x-user-id': 'u-1017' }],
  ['DELETE', '/api/users/u-1017/cart/items/SKU-77', { 'x-request-id': ids[4], 'x-user-id': 'u-1017' }]
]

// route handles one request; hooks.info/warn/error(req, obj, msg) log through
// the library under test; it resolves to the status code sent.
async function route (req, res, hooks) {
  const url = new URL(req.url, 'http://localhost')
  const send = (status, body) => {
    res.statusCode = status
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(body))
    return status
  }
  let m
  if (req.method === 'GET' && (m = url.pathname.match(/^\/api\/orders\/(\d+)$/))) {
    if (m[1] === '7') {
      hooks.warn(req, { orderId: 7 }, 'order not found')
      return send(404, { error: 'not found' })
    }
    hooks.debug(req, { orderId: Number(m[1]) }, 'order loaded from cache')
    return send(200, { id: Number(m[1]), total: 3998 })
  }
  if (req.method === 'POST' && url.pathname === '/api/checkout') {
    try {
      return send(200, await checkout(req.headers['x-user-id']))
    } catch (err) {
      hooks.error(req, err, 'checkout failed')
      res.err = err
      return send(500, { error: 'internal error' })
    }
  }
  if (req.method === 'GET' && url.pathname.match(/^\/api\/users\/[^/]+\/cart$/)) {
    hooks.debug(req, { items: 1 }, 'cart loaded')
    return send(200, { items: 1 })
  }
  if (req.method === 'DELETE' && url.pathname.match(/^\/api\/users\/[^/]+\/cart\/items\/[^/]+$/)) {
    hooks.debug(req, { sku: url.pathname.split('/').pop() }, 'cart item removed')
    res.statusCode = 204
    res.end()
    return 204
  }
  return send(404, { error: 'no route' })
}

// run starts a server with handler(req, res), sends the scenario one
// request at a time, then closes the server.
async function run (handler, ids) {
  const server = http.createServer(handler)
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  for (const [method, path, headers] of scenario(ids)) {
    await new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method, path, headers: { 'user-agent': 'k6/0.52.0 (https://k6.io/)', ...headers } }, (res) => {
        res.resume()
        res.on('end', resolve)
      })
      req.on('error', reject)
      req.end()
    })
    await new Promise((resolve) => setTimeout(resolve, 40 + Math.floor(Math.random() * 60)))
  }
  await new Promise((resolve) => server.close(resolve))
}

module.exports = { route, run }
