// winston 3 with @elastic/ecs-winston-format (ECS logging for Node):
// `@timestamp`, literal `log.level`, `ecs.version`, `service.name`; the
// request id in ECS's `http.request.id` of a child logger; an Error passed as
// `err` becomes `error.{type,message,stack_trace}`, as the format documents.
import winston from 'winston';
import { ecsFormat } from '@elastic/ecs-winston-format';
import { run, service } from './shop.mjs';

const logger = winston.createLogger({
  level: 'info',
  format: ecsFormat({ serviceName: service, convertReqRes: true }),
  defaultMeta: { service: { name: service } },
  transports: [new winston.transports.Console()],
});

await run('ecswinston', {
  startup: (msg, f) => logger.info(msg, f),
  forRequest(id) {
    const l = logger.child({ http: { request: { id } } });
    return {
      info: (msg, f) => l.info(msg, f),
      warn: (msg, f) => l.warn(msg, f),
      error: (msg, err, f) => l.error(msg, { ...f, err }),
    };
  },
});
