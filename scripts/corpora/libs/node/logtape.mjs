// LogTape 2 with its JSON Lines formatter on a stdout sink; the request id
// is a property bound by logger.with().
import { configure, getLogger, jsonLinesFormatter } from '@logtape/logtape';
import { run, service } from './shop.mjs';

await configure({
  sinks: { out: (record) => process.stdout.write(jsonLinesFormatter(record)) },
  loggers: [
    { category: service, lowestLevel: 'info', sinks: ['out'] },
    { category: ['logtape', 'meta'], lowestLevel: 'warning', sinks: ['out'] },
  ],
});
const log = getLogger([service, 'http']);

await run('logtape', {
  startup: (msg, f) => log.info(msg, f),
  forRequest(id) {
    const l = log.with({ requestId: id });
    return {
      info: (msg, f) => l.info(msg, f),
      error: (msg, err, f) => l.error(msg, { ...f, error: err }),
    };
  },
});
