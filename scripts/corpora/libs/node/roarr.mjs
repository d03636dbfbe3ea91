// Roarr 7 (JSON by design; run with ROARR_LOG=true): a child logger per
// request carries requestId in the context; errors serialized with
// serialize-error, as Roarr's docs recommend.
import { Roarr } from 'roarr';
import { serializeError } from 'serialize-error';
import { run, service } from './shop.mjs';

const log = Roarr.child({ program: service });

await run('roarr', {
  startup: (msg, f) => log.info(f, msg),
  forRequest(id) {
    const l = log.child({ requestId: id });
    return {
      info: (msg, f) => l.info(JSON.parse(JSON.stringify(f)), msg),
      error: (msg, err, f) => l.error({ ...f, error: serializeError(err) }, msg),
    };
  },
});
