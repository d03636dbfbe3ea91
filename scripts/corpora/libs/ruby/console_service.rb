# The orders service on socketry's console gem (the logger of async and
# Falcon) with its serialized JSON output, Console::Serialized::Logger:
# `time`, `severity`, `class`/`oid` of the subject, `message`, and for an
# exception among the arguments `error: {kind, message, stack}` with the
# backtrace as lines. The subject is the request's handler object; the
# request id travels as a keyword option.
require 'console'
require 'console/serialized/logger'
require_relative 'shop'

class ConsoleHooks
  Request = Struct.new(:id)

  def initialize
    @log = Console::Logger.new(Console::Serialized::Logger.new($stdout), level: Console::Logger::INFO)
  end

  def startup(msg, fields)
    @log.info(Shop::SERVICE, msg, **fields)
  end

  def request(id)
    @req = Request.new(id)
    yield self
  ensure
    @req = nil
  end

  def info(msg, fields)
    @log.info(@req, msg, request_id: @req.id, **fields)
  end

  def warn(msg, fields)
    @log.warn(@req, msg, request_id: @req.id, **fields)
  end

  def failure(msg, err, fields)
    @log.error(@req, msg, err, request_id: @req.id, **fields)
  end
end

Shop.run('console', ConsoleHooks.new)
