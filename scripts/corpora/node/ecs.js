'use strict'
// pino formatted by @elastic/ecs-pino-format (Elastic Common Schema). The
// handler passes the raw req/res/err to each log call, so that the formatter
// converts them into http.*, url.*, client.*, user_agent.* and error.*
// (bindings such as pino-http's req are not converted, hence no pino-http).
const pino = require('pino')
const { ecsFormat } = require('@elastic/ecs-pino-format')
const { route, run } = require('./server')

const logger = pino({ level: 'debug', base: { pid: process.pid, hostname: 'orders-6d4c8b7f5-m9w2l' }, ...ecsFormat({ convertReqRes: true, serviceName: 'orders-api', serviceVersion: '1.14.2', serviceEnvironment: 'production' }) })
const user = (req) => (req.headers['x-user-id'] ? { user: { id: req.headers['x-user-id'] } } : {})
const hooks = {
  debug: (req, obj, msg) => logger.debug({ req, ...user(req), ...obj }, msg),
  warn: (req, obj, msg) => logger.warn({ req, ...user(req), ...obj }, msg),
  error: (req, err, msg) => logger.error({ req, ...user(req), err }, msg)
}

logger.info({ 'server.port': 8080 }, 'server listening')
run((req, res) => {
  const start = process.hrtime.bigint()
  res.on('finish', () => {
    const ns = Number(process.hrtime.bigint() - start)
    const level = res.statusCode >= 500 ? 'error' : 'info'
    logger[level]({ req, res, ...user(req), 'event.duration': ns }, 'handled request')
  })
  route(req, res, hooks)
}, ['b7e23ec2-9a1f-4c4b-8d3e-2f6a1c0d9e88', '6a5f3c1e-0b9d-4e7a-8c2f-1d3e5a7b9c0d', 'f47ac10b-58cc-4372-a567-0e02b2c3d479', '1b4e28ba-2fa1-41d2-883f-0016d3cca427', '9a1f0c3e-7d52-4b86-a4e9-3c5d7f1b2e80'])
