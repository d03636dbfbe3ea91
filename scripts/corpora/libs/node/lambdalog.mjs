// lambda-log 3: a LambdaLog per request with the request id in its meta;
// log.error(err, meta) logs the error's message and stack; a timestamp
// added by dynamicMeta, as its docs show (Lambda itself adds none to the line).
import lambdaLog from 'lambda-log';
import { run, service } from './shop.mjs';

const { LambdaLog } = lambdaLog;
const log = new LambdaLog({ meta: { service }, dynamicMeta: () => ({ timestamp: new Date().toISOString() }) });

await run('lambdalog', {
  startup: (msg, f) => log.info(msg, f),
  forRequest(id) {
    const l = new LambdaLog({
      meta: { service, requestId: id },
      tags: ['http'],
      dynamicMeta: () => ({ timestamp: new Date().toISOString() }),
    });
    return {
      info: (msg, f) => l.info(msg, f),
      error: (msg, err, f) => l.error(err, f),
    };
  },
});
