# The orders service every Ruby producer runs: a Rack-style app called for the
# same eight requests. Two checkouts hit one bug (a SKU missing from the
# catalog: NoMethodError in Shop.price_for), one a quantity that is not a
# number (ArgumentError in Shop.read_order).
#
# A producer passes a logger object with startup(msg, fields),
# request(id) { |log| ... } binding the id the library's way, and on the
# yielded log: info(msg, fields) and failure(msg, exception, fields), and
# warn(msg, fields) for a request answered 404 if it has one (the producers
# written before it have none).
require 'digest'
require 'json'

module Shop
  SERVICE = 'orders'

  CATALOG = { 'SKU-1042' => { cents: 1999 }, 'SKU-2001' => { cents: 450 } }.freeze

  REQUESTS = [
    ['GET', '/api/orders/1042', nil, 'u-1017'],
    ['POST', '/api/checkout', 'sku=SKU-1042&qty=2', 'u-1017'],
    ['POST', '/api/checkout', 'sku=SKU-9999&qty=1', 'u-2231'], # price_for bug
    ['GET', '/api/orders/7', nil, ''],
    ['POST', '/api/checkout', 'sku=SKU-2001&qty=two', 'u-3301'], # not a number
    ['POST', '/api/checkout', 'sku=SKU-2001&qty=3', 'u-2231'],
    ['POST', '/api/checkout', 'sku=SKU-7777&qty=4', 'u-4410'], # price_for bug
    ['GET', '/api/orders/1042', nil, 'u-3301'],
  ].freeze

  module_function

  # The id of the i-th request (0-based) of producer lib: a UUID derived from both.
  def request_id(lib, i)
    h = Digest::SHA1.hexdigest("#{lib}/#{i}")
    "#{h[0, 8]}-#{h[8, 4]}-#{h[12, 4]}-#{h[16, 4]}-#{h[20, 12]}"
  end

  def price_for(sku, qty)
    item = CATALOG[sku]
    item[:cents] * qty
  end

  def read_order(body)
    form = URI.decode_www_form(body).to_h
    [form['sku'], Integer(form['qty'])]
  end

  def call(env)
    if env['REQUEST_METHOD'] == 'GET'
      return env['PATH_INFO'].end_with?('/1042') ? [200, { id: 1042 }] : [404, { error: 'not found' }]
    end
    sku, qty = read_order(env['rack.input'])
    [200, { total_cents: price_for(sku, qty) }]
  end

  def serve(logger, env)
    start = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    logger.request(env['HTTP_X_REQUEST_ID']) do |log|
      fields = { method: env['REQUEST_METHOD'], path: env['PATH_INFO'] }
      log.info('request started', fields.merge(user_id: env['HTTP_X_USER_ID']).compact)
      begin
        status, = call(env)
      rescue StandardError => e
        log.failure('checkout failed', e, fields)
        status = 500
      end
      log.warn('order not found', fields.merge(status: status)) if status == 404 && log.respond_to?(:warn)
      ms = ((Process.clock_gettime(Process::CLOCK_MONOTONIC) - start) * 1000).round(3)
      log.info('request completed', fields.merge(status: status, duration_ms: ms))
    end
  end

  def run(lib, logger)
    logger.startup('listening', addr: '127.0.0.1:9292')
    REQUESTS.each_with_index do |(method, path, body, user), i|
      env = { 'REQUEST_METHOD' => method, 'PATH_INFO' => path, 'rack.input' => body.to_s,
              'HTTP_X_REQUEST_ID' => request_id(lib, i) }
      env['HTTP_X_USER_ID'] = user unless user.empty?
      serve(logger, env)
      sleep 0.003
    end
  end
end
require 'uri'
