'use strict'
// @google-cloud/logging's LogSync writing structured JSON to stdout, the way
// Cloud Run services log (useMessageField: false merges payload fields to
// the top level). Errors carry the stack in message and a serviceContext,
// as Error Reporting expects. The trace comes from x-cloud-trace-context.
const { Logging } = require('@google-cloud/logging')
const { route, run } = require('./server')

const logging = new Logging({ projectId: 'shop-prod' })
const log = logging.logSync('orders-api', process.stdout, { useMessageField: false })
let n = 0
// write logs one entry; every other entry passes its timestamp as a Date
// (LogSync turns it into {seconds, nanos}), the others as an RFC 3339 string.
function write (severity, data, meta = {}) {
  const now = new Date()
  const m = { ...meta, timestamp: n++ % 2 === 0 ? now : now.toISOString() }
  if (severity) m.severity = severity
  log.write(log.entry(m, data))
}
const traceOf = (req) => `projects/shop-prod/traces/${req.headers['x-cloud-trace-context'].split('/')[0]}`
const hooks = {
  debug: (req, obj, msg) => write('DEBUG', { message: msg, ...obj }, { trace: traceOf(req) }),
  warn: (req, obj, msg) => write('WARNING', { message: msg, ...obj }, { trace: traceOf(req) }),
  error: (req, err, msg) => write('ERROR', {
    message: `${msg}: ${err.stack}`,
    serviceContext: { service: 'orders-api', version: '1.14.2' },
    userId: req.headers['x-user-id']
  }, { trace: traceOf(req) })
}

write(undefined, { message: 'server listening on port 8080' })
run((req, res) => {
  req.headers['x-cloud-trace-context'] = `${req.headers['x-request-id']}/${BigInt('0x' + req.headers['x-request-id'].slice(0, 12))};o=1`
  const start = process.hrtime.bigint()
  res.on('finish', () => {
    const s = Number(process.hrtime.bigint() - start) / 1e9
    const data = { message: `${req.method} ${req.url} ${res.statusCode}` }
    if (req.headers['x-user-id']) data.userId = req.headers['x-user-id']
    write(res.statusCode >= 500 ? 'ERROR' : res.statusCode >= 400 ? 'WARNING' : 'INFO', data, {
      trace: traceOf(req),
      httpRequest: { requestMethod: req.method, requestUrl: req.url, status: res.statusCode, userAgent: req.headers['user-agent'], latency: `${s.toFixed(3)}s` }
    })
  })
  route(req, res, hooks)
}, ['4bf92f3577b34da6a3ce929d0e0e4736', '0af7651916cd43dd8448eb211c80319c', '8e1c6b3a2f5d4c7b9a0e1d2c3b4a5f60', 'd5e6f7a8b9c0d1e2f3a4b5c6d7e8f901', '7f3a9c2e5b1d4e6f8a0b2c4d6e8f0a1b'])
