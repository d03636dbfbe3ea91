// NestJS 11's ConsoleLogger with `json: true` (its built-in structured
// output: `level`, `pid`, `timestamp` epoch ms, `message`, `context`); the
// request id is the context of a logger made per request, as Nest's
// `new Logger(context)` is; an error is logged as Nest's own exception
// filter does, `logger.error(message, err.stack)`, which puts the stack in
// `stack` (an array).
import 'reflect-metadata';
import { ConsoleLogger } from '@nestjs/common';
import { run, service } from './shop.mjs';

const root = new ConsoleLogger(service, { json: true, colors: false });

await run('nestjs', {
  startup: (msg, f) => root.log({ message: msg, ...f }),
  forRequest(id) {
    const l = new ConsoleLogger(id, { json: true, colors: false });
    return {
      info: (msg, f) => l.log({ message: msg, ...f }),
      warn: (msg, f) => l.warn({ message: msg, ...f }),
      error: (msg, err) => l.error(msg, err.stack),
    };
  },
});
