'use strict'
// Toy business code shared by the corpus producers: its bugs give the
// committed corpora real V8 stack traces.

const catalog = new Map([['SKU-1042', { price: 1999 }], ['SKU-77', { price: 450 }]])

async function loadCart (userId) {
  await new Promise((resolve) => setImmediate(resolve))
  if (userId === 'u-2231') {
    // a cart row whose product was deleted from the catalog
    return { items: [{ sku: 'SKU-1042', qty: 2 }, { sku: 'SKU-9', qty: 1 }] }
  }
  return { items: [{ sku: 'SKU-77', qty: 1 }] }
}

function priceCart (cart) {
  return cart.items.reduce((sum, item) => sum + catalog.get(item.sku).price * item.qty, 0)
}

async function checkout (userId) {
  const cart = await loadCart(userId)
  const total = priceCart(cart)
  return { total }
}

module.exports = { checkout, loadCart, priceCart }
