# The orders service on the logging gem (ruby-logging) with its JSON layout;
# the request id in Logging.mdc, an exception logged as the message object
# (log.error(e)), which the layout writes as {class, message, backtrace}.
require 'logging'
require_relative 'shop'

Logging.appenders.stdout('out', layout: Logging.layouts.json(items: %w[timestamp level logger message mdc pid]))
Logging.logger.root.appenders = 'out'
Logging.logger.root.level = :info

class LoggingHooks
  def initialize
    @log = Logging.logger['Orders::Checkout']
    Logging.mdc['service'] = Shop::SERVICE
  end

  def startup(msg, fields)
    @log.info("#{msg} #{fields.map { |k, v| "#{k}=#{v}" }.join(' ')}")
  end

  def request(id)
    Logging.mdc['request_id'] = id
    yield self
  ensure
    Logging.mdc.delete('request_id')
  end

  def info(msg, fields)
    fields.each { |k, v| Logging.mdc[k.to_s] = v.to_s }
    @log.info(msg)
    fields.each_key { |k| Logging.mdc.delete(k.to_s) }
  end

  def failure(_msg, err, _fields)
    @log.error(err)
  end
end

Shop.run('ruby-logging', LoggingHooks.new)
