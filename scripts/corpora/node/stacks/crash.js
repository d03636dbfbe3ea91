'use strict'
// Produces real V8 stack traces. Usage: node crash.js price|json OCCURRENCE
// price: prints err.stack of a TypeError thrown in async code, as a logger
// would record it; json: an uncaught SyntaxError, so Node prints its own
// crash report (source line, caret, stack, "Node.js vX").
const { checkout } = require('../shop')

async function handleCheckout (n) {
  try {
    await checkout('u-2231')
  } catch (err) {
    process.stdout.write(err.stack + '\n')
  }
}

function parseWebhook (body) {
  return JSON.parse(body).data
}

function onWebhook (n) {
  const bodies = ['{"data": {"id": 7}', 'not json', '{"data": [1, 2,]}']
  return parseWebhook(bodies[n % bodies.length])
}

const [bug, n] = [process.argv[2], Number(process.argv[3])]
if (bug === 'price') handleCheckout(n)
else setImmediate(() => onWebhook(n))
