'use strict'
// bunyan with its standard serializers: a per-request child logger with
// req_id, as restify sets it up. Writes NDJSON to stdout.
const bunyan = require('bunyan')
const { route, run } = require('./server')

const log = bunyan.createLogger({ name: 'orders-api', hostname: 'orders-5b8d7f6c9-q4zrt', level: 'debug', serializers: bunyan.stdSerializers })
const hooks = {
  debug: (req, obj, msg) => req.log.debug(obj, msg),
  warn: (req, obj, msg) => req.log.warn(obj, msg),
  error: (req, err, msg) => req.log.error({ err }, msg)
}

log.info({ port: 8080 }, 'server listening')
run((req, res) => {
  const fields = { req_id: req.headers['x-request-id'] }
  if (req.headers['x-user-id']) fields.user_id = req.headers['x-user-id']
  req.log = log.child(fields, true)
  req.log.info({ req }, 'handling request')
  const start = process.hrtime.bigint()
  res.on('finish', () => {
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    const level = res.statusCode >= 500 ? 'error' : 'info'
    req.log[level]({ res, latency_ms: Math.round(ms * 100) / 100 }, 'handled: %d', res.statusCode)
  })
  route(req, res, hooks)
}, ['req-8f14e45f', 'req-c9f0f895', 'req-45c48cce', 'req-d3d94468', 'req-6512bd43'])
