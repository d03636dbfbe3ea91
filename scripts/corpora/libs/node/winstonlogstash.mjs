// winston 3 with its own logstash format (logform's `logstash()`:
// `@timestamp`, `@message`, `@fields`), after `errors({stack: true})`; the
// request id is default meta of a child logger. `logger.error(msg, err)` is
// winston's own merge of an Error given as meta: the error's message is
// appended to the line's and its `stack` kept.
import winston from 'winston';
import { run, service } from './shop.mjs';

const { combine, errors, timestamp, logstash } = winston.format;
const logger = winston.createLogger({
  level: 'info',
  format: combine(errors({ stack: true }), timestamp(), logstash()),
  defaultMeta: { service },
  transports: [new winston.transports.Console()],
});

await run('winstonlogstash', {
  startup: (msg, f) => logger.info(msg, f),
  forRequest(id) {
    const l = logger.child({ requestId: id });
    return {
      info: (msg, f) => l.info(msg, f),
      warn: (msg, f) => l.warn(msg, f),
      error: (msg, err) => l.error(msg, err),
    };
  },
});
