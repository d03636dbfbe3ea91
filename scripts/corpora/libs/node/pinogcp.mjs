// pino 10 with @google-cloud/pino-logging-gcp-config (Google's own pino
// configuration for Cloud Run / GKE stdout): `severity`, `message`,
// `timestamp: {seconds, nanos}`, a sequential insertId, `serviceContext`,
// and for a logged Error its stack in `stack_trace` for Error Reporting; the
// request id is a binding of a child logger.
import { pino } from 'pino';
import { createGcpLoggingPinoConfig } from '@google-cloud/pino-logging-gcp-config';
import { run, service } from './shop.mjs';

const logger = pino(createGcpLoggingPinoConfig(
  { serviceContext: { service, version: '1.4.2' } },
  { level: 'info' },
));

await run('pinogcp', {
  startup: (msg, f) => logger.info(f, msg),
  forRequest(id) {
    const l = logger.child({ request_id: id });
    return {
      info: (msg, f) => l.info(f, msg),
      warn: (msg, f) => l.warn(f, msg),
      error: (msg, err, f) => l.error({ ...f, err }, msg),
    };
  },
});
