// tslog 5 with type "json"; the request id comes from AsyncLocalStorage
// through the logger's default log object, as tslog's docs show for
// request ids.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from 'tslog';
import { run, service } from './shop.mjs';

const als = new AsyncLocalStorage();
const logger = new Logger({ type: 'json', name: service, minLevel: 3 }, {
  requestId: () => als.getStore()?.requestId,
});

await run('tslog', {
  startup: (msg, f) => logger.info(msg, f),
  forRequest(id) {
    const inReq = (fn) => als.run({ requestId: id }, fn);
    return {
      info: (msg, f) => inReq(() => logger.info(msg, f)),
      error: (msg, err, f) => inReq(() => logger.error(msg, err, f)),
    };
  },
});
