// consola 3 with a JSON reporter (the custom reporter of consola's docs,
// with a replacer so an Error keeps its name, message and stack); the
// request id is the tag of a per-request instance (withTag).
import { createConsola } from 'consola';
import { run } from './shop.mjs';

const json = (o) => JSON.stringify(o, (k, v) => (v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : v));
const consola = createConsola({ level: 3, reporters: [{ log: (logObj) => process.stdout.write(json(logObj) + '\n') }] });

await run('consola', {
  startup: (msg, f) => consola.info(msg, f),
  forRequest(id) {
    const l = consola.withTag(id);
    return {
      info: (msg, f) => l.info(msg, f),
      error: (msg, err) => l.error(msg, err),
    };
  },
});
