# The orders service on Ruby's standard Logger with a JSON formatter proc (the
# usual way a Rails or Rack service writes JSON without a logging gem); the
# request id bound per request with progname, as Rails' tagged loggers do per
# request, errors logged with the exception's class, message and backtrace.
require 'logger'
require 'json'
require 'time'
require_relative 'shop'

class LoggerHooks
  def initialize
    @log = Logger.new($stdout, level: :info, progname: Shop::SERVICE)
    @log.formatter = proc do |severity, time, progname, msg|
      entry = { time: time.utc.iso8601(6), severity: severity, progname: progname }
      entry.merge!(msg.is_a?(Hash) ? msg : { message: msg.to_s })
      JSON.generate(entry) + "\n"
    end
  end

  def startup(msg, fields)
    @log.info(fields.merge(message: msg))
  end

  def request(id)
    @req = id
    yield self
  ensure
    @req = nil
  end

  def info(msg, fields)
    @log.info(fields.merge(message: msg, request_id: @req))
  end

  def failure(msg, err, fields)
    @log.error(fields.merge(message: msg, request_id: @req,
                            error: { class: err.class.name, message: err.message, backtrace: err.backtrace }))
  end
end

Shop.run('ruby-logger', LoggerHooks.new)
