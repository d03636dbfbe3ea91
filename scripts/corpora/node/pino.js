'use strict'
// pino + pino-http, default settings but for a request id taken from the
// x-request-id header and the user id as a custom prop. Writes NDJSON to stdout.
const pino = require('pino')
const pinoHttp = require('pino-http')
const { route, run } = require('./server')

const logger = pino({ level: 'debug', base: { pid: process.pid, hostname: 'orders-7c9f6b5d4-h2x8q' } }).child({ service: 'orders-api' })
const httpLogger = pinoHttp({
  logger,
  genReqId: (req) => req.headers['x-request-id'],
  customProps: (req) => (req.headers['x-user-id'] ? { userId: req.headers['x-user-id'] } : {})
})
const hooks = {
  debug: (req, obj, msg) => req.log.debug(obj, msg),
  warn: (req, obj, msg) => req.log.warn(obj, msg),
  error: (req, err, msg) => req.log.error({ err }, msg)
}

logger.info({ addr: '127.0.0.1', node: process.version }, 'server listening')
run((req, res) => { httpLogger(req, res); route(req, res, hooks) },
  ['3f1c2a9e-5b7d-4e21-9c3a-8d2f6e1b0a47', '9b8e7d6c-1a2b-4c3d-8e9f-0a1b2c3d4e5f', 'c0ffee00-1234-4abc-9def-567890abcdef', '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9', '2b7e1516-28ae-4d2a-abf7-158809cf4f3c'])
