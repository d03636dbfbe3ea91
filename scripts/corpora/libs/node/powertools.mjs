// Powertools for AWS Lambda (TypeScript) Logger 2: its own JSON
// (`level` upper case, `message`, `timestamp`, `service`, `sampling_rate`);
// a child logger per request with the request id as a persistent key, as the
// docs show for keys every line of a request carries; an Error passed as an
// extra argument becomes `error: {name, location, message, stack}`.
import { Logger } from '@aws-lambda-powertools/logger';
import { run, service } from './shop.mjs';

const logger = new Logger({ serviceName: service, logLevel: 'INFO' });

await run('powertools', {
  startup: (msg, f) => logger.info(msg, f),
  forRequest(id) {
    const l = logger.createChild({ persistentKeys: { request_id: id } });
    return {
      info: (msg, f) => l.info(msg, f),
      warn: (msg, f) => l.warn(msg, f),
      error: (msg, err, f) => l.error(msg, f, err),
    };
  },
});
