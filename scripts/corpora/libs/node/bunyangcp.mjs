// bunyan 2 with @google-cloud/logging-bunyan's stream writing structured
// JSON to stdout (`redirectToStdout`, as on Cloud Run / GKE): Cloud
// Logging's LogEntry fields, the request id a label of a child logger; an
// Error logged as `err` keeps its stack, which the stream puts in the
// message for Error Reporting.
import bunyan from 'bunyan';
import lb from '@google-cloud/logging-bunyan';
import { run, service } from './shop.mjs';

const { LoggingBunyan } = lb;
const gcp = new LoggingBunyan({
  projectId: 'acme-orders', logName: service, redirectToStdout: true, useMessageField: false,
  serviceContext: { service, version: '1.4.2' }, defaultCallback: () => {},
});
const logger = bunyan.createLogger({ name: service, serializers: bunyan.stdSerializers, streams: [gcp.stream('info')] });

await run('bunyangcp', {
  startup: (msg, f) => logger.info(f, msg),
  forRequest(id) {
    const l = logger.child({ labels: { request_id: id } });
    return {
      info: (msg, f) => l.info(f, msg),
      warn: (msg, f) => l.warn(f, msg),
      error: (msg, err, f) => l.error({ ...f, err }, msg),
    };
  },
});
