// bole 6: one sub-logger per request named "orders:<request id>" (bole's
// sub-logger naming), errors through its own Error serializer.
import bole from 'bole';
import { run, service } from './shop.mjs';

bole.output({ level: 'info', stream: process.stdout });
const log = bole(service);

await run('bole', {
  startup: (msg, f) => log.info(f, msg),
  forRequest(id) {
    const l = log(id);
    return {
      info: (msg, f) => l.info(f, msg),
      error: (msg, err) => l.error(err, msg),
    };
  },
});
