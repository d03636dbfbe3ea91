'use strict'
// winston with format.combine(errors({stack: true}), timestamp(), json()),
// as its README recommends, and a per-request child logger.
const winston = require('winston')
const { route, run } = require('./server')

const logger = winston.createLogger({
  level: 'debug',
  format: winston.format.combine(winston.format.errors({ stack: true }), winston.format.timestamp(), winston.format.json()),
  defaultMeta: { service: 'orders-api' },
  transports: [new winston.transports.Console()]
})
const hooks = {
  debug: (req, obj, msg) => req.log.debug(msg, obj),
  warn: (req, obj, msg) => req.log.warn(msg, obj),
  error: (req, err, msg) => req.log.error(err)
}

logger.info('server listening', { port: 8080 })
run((req, res) => {
  const meta = { requestId: req.headers['x-request-id'] }
  if (req.headers['x-user-id']) meta.userId = req.headers['x-user-id']
  req.log = logger.child(meta)
  const start = Date.now()
  res.on('finish', () => {
    req.log.log(res.statusCode >= 500 ? 'error' : 'http', `${req.method} ${req.url} ${res.statusCode}`, {
      method: req.method, url: req.url, statusCode: res.statusCode, durationMs: Date.now() - start
    })
  })
  route(req, res, hooks)
}, ['01JDQ8Z6V4N2X7K3M9P5R1T8WC', '01JDQ8Z6W0A7B3C9D5E1F6G2HJ', '01JDQ8Z6W8K4M0N6P2Q8R3S9TV', '01JDQ8Z6XGZ5Y1X7W3V9U4T0SR', '01JDQ8Z6Y3P8Q4R0S6T2V7W9XA'])
