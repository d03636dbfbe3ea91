// log4js 6 with a JSON layout (log4js.addLayout, as its docs show) that
// keeps errors the way log4js's own LoggingEvent.serialise does; the request
// id is logger context (addContext) on a per-request logger.
import log4js from 'log4js';
import { run, service } from './shop.mjs';

log4js.addLayout('json', (config) => (event) => JSON.stringify(event, (key, value) =>
  value instanceof Error ? { message: value.message, stack: value.stack, ...value } : value) + config.separator);
log4js.configure({
  appenders: { out: { type: 'stdout', layout: { type: 'json', separator: '' } } },
  categories: { default: { appenders: ['out'], level: 'info' } },
});

const base = log4js.getLogger(service);
await run('log4js', {
  startup: (msg, f) => base.info(msg, f),
  forRequest(id) {
    const l = log4js.getLogger(service);
    l.addContext('requestId', id);
    return {
      info: (msg, f) => l.info(msg, f),
      error: (msg, err, f) => l.error(msg, err, f),
    };
  },
});
await new Promise((ok) => log4js.shutdown(ok));
