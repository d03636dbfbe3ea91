// An Express 5 app logged by express-winston 4 on winston 3 (JSON): its
// request logger writes one line per request (`meta.req`, `meta.res`,
// `meta.responseTime`), its error logger one per error passed to next(err):
// `message` "middlewareError", `meta.error`, the stack as an array of lines
// (`meta.stack`) and as frame objects (`meta.trace`), as winston's
// exceptions.getAllInfo reads them. The request id comes from the
// X-Request-Id header through dynamicMeta; a warning for 404 is logged by
// the app's own winston logger.
import express from 'express';
import expressWinston from 'express-winston';
import winston from 'winston';
import { drive, handle, service } from './shop.mjs';

const format = winston.format.combine(winston.format.timestamp(), winston.format.json());
const logger = winston.createLogger({ level: 'info', format, defaultMeta: { service }, transports: [new winston.transports.Console()] });
const dynamicMeta = (req) => ({ requestId: req.get('x-request-id'), service });

const app = express();
app.use(express.text({ type: '*/*' }));
app.use(expressWinston.logger({
  winstonInstance: logger, meta: true, dynamicMeta,
  msg: 'HTTP {{req.method}} {{req.url}} {{res.statusCode}} {{res.responseTime}}ms',
  requestWhitelist: ['url', 'method', 'httpVersion', 'originalUrl'],
}));
app.all('/{*path}', (req, res) => {
  const [status, out] = handle(req, typeof req.body === 'string' ? req.body : '');
  if (status === 404) logger.warn('order not found', { requestId: req.get('x-request-id'), method: req.method, path: req.path, status });
  res.status(status).json(out);
});
app.use(expressWinston.errorLogger({ winstonInstance: logger, dynamicMeta, requestWhitelist: ['url', 'method', 'originalUrl'] }));
app.use((err, req, res, next) => res.status(500).json({ error: 'internal error' }));

const server = await new Promise((ok) => { const s = app.listen(0, '127.0.0.1', () => ok(s)); });
const { port } = server.address();
logger.info('listening', { addr: `127.0.0.1:${port}` });
await drive('expresswinston', port);
await new Promise((ok) => server.close(ok));
