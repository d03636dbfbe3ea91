// winston 3 with @google-cloud/logging-winston's transport writing
// structured JSON to stdout (`redirectToStdout`, as on Cloud Run / GKE,
// where the logging agent ships it): `severity`, `message`, `timestamp`,
// `logging.googleapis.com/labels`; the request id is a label of a child
// logger. An Error logged as the message of `logger.error` keeps its stack
// in `stack`, winston's errors() format.
import winston from 'winston';
import lw from '@google-cloud/logging-winston';
import { run, service } from './shop.mjs';

const { LoggingWinston } = lw;
const logger = winston.createLogger({
  level: 'info',
  format: winston.format.errors({ stack: true }),
  transports: [new LoggingWinston({
    projectId: 'acme-orders', logName: service, redirectToStdout: true, useMessageField: false,
    serviceContext: { service, version: '1.4.2' }, defaultCallback: () => {},
  })],
});

await run('gcpwinston', {
  startup: (msg, f) => logger.info(msg, f),
  forRequest(id) {
    const l = logger.child({ labels: { request_id: id } });
    return {
      info: (msg, f) => l.info(msg, f),
      warn: (msg, f) => l.warn(msg, f),
      error: (msg, err) => l.error(msg, err),
    };
  },
});
