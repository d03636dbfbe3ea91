<?php
// The orders service on Monolog (Debian php-monolog): a front controller
// handling the same eight requests. Two checkouts hit one bug (a SKU missing
// from the catalog: Error "Call to a member function cents() on null" in
// Catalog::priceFor), one a body that is not JSON (JsonException in
// readOrder). The request id is added to every record's extra by a
// processor reading X-Request-Id; errors go through the PSR-3 context key
// "exception". Usage: php service.php json|logstash|gcp (gcp: Monolog's
// GoogleCloudLoggingFormatter, `severity` and RFC 3339 `time`; it also logs
// a warning for a request answered 404, which the older two files lack).

declare(strict_types=1);

namespace Acme\Orders;

require_once 'Monolog/autoload.php';
require_once __DIR__ . '/Catalog.php';

use Monolog\Formatter\GoogleCloudLoggingFormatter;
use Monolog\Formatter\JsonFormatter;
use Monolog\Formatter\LogstashFormatter;
use Monolog\Handler\StreamHandler;
use Monolog\Logger;

final class App
{
    private ?string $requestId = null;

    public function __construct(private Logger $log, private Catalog $catalog, private bool $warns = false) {}

    public function requestId(): ?string
    {
        return $this->requestId;
    }

    private function readOrder(string $body): array
    {
        $o = json_decode($body, true, 8, JSON_THROW_ON_ERROR);
        return [$o['sku'], (int) $o['qty']];
    }

    private function route(string $method, string $path, string $body): array
    {
        if ($method === 'GET') {
            return str_ends_with($path, '/1042') ? [200, ['id' => 1042]] : [404, ['error' => 'not found']];
        }
        [$sku, $qty] = $this->readOrder($body);
        return [200, ['total_cents' => $this->catalog->priceFor($sku, $qty)]];
    }

    public function handle(array $server, string $body): int
    {
        $start = hrtime(true);
        $this->requestId = $server['HTTP_X_REQUEST_ID'];
        $method = $server['REQUEST_METHOD'];
        $path = $server['REQUEST_URI'];
        $ctx = ['method' => $method, 'path' => $path];
        $this->log->info('request started', $ctx + array_filter(['user_id' => $server['HTTP_X_USER_ID'] ?? null]));
        try {
            [$status] = $this->route($method, $path, $body);
        } catch (\Throwable $e) {
            $this->log->error('checkout failed', $ctx + ['exception' => $e]);
            $status = 500;
        }
        if ($status === 404 && $this->warns) {
            $this->log->warning('order not found', $ctx + ['status' => $status]);
        }
        $ms = round((hrtime(true) - $start) / 1e6, 3);
        $this->log->info('request completed', $ctx + ['status' => $status, 'duration_ms' => $ms]);
        $this->requestId = null;
        return $status;
    }
}

function requestId(string $lib, int $i): string
{
    $h = sha1("$lib/$i");
    return substr($h, 0, 8) . '-' . substr($h, 8, 4) . '-' . substr($h, 12, 4) . '-' . substr($h, 16, 4) . '-' . substr($h, 20, 12);
}

$kind = $argv[1] ?? 'json';
$lib = "monolog-$kind";
$handler = new StreamHandler('php://stdout', Logger::INFO);
if ($kind === 'logstash') {
    $handler->setFormatter(new LogstashFormatter('orders'));
} elseif ($kind === 'gcp') {
    $f = new GoogleCloudLoggingFormatter(JsonFormatter::BATCH_MODE_NEWLINES, true);
    $f->includeStacktraces(true);
    $handler->setFormatter($f);
} else {
    $f = new JsonFormatter(JsonFormatter::BATCH_MODE_NEWLINES, true);
    $f->includeStacktraces(true);
    $handler->setFormatter($f);
}
$log = new Logger('orders', [$handler]);
$app = new App($log, new Catalog(), $kind === 'gcp');
$log->pushProcessor(function (array $record) use ($app): array {
    if ($app->requestId() !== null) {
        $record['extra']['request_id'] = $app->requestId();
    }
    return $record;
});

$requests = [
    ['GET', '/api/orders/1042', '', 'u-1017'],
    ['POST', '/api/checkout', '{"sku":"SKU-1042","qty":2}', 'u-1017'],
    ['POST', '/api/checkout', '{"sku":"SKU-9999","qty":1}', 'u-2231'], // priceFor bug
    ['GET', '/api/orders/7', '', ''],
    ['POST', '/api/checkout', '{"sku":"SKU-2001",qty:3}', 'u-3301'], // not JSON
    ['POST', '/api/checkout', '{"sku":"SKU-2001","qty":3}', 'u-2231'],
    ['POST', '/api/checkout', '{"sku":"SKU-7777","qty":4}', 'u-4410'], // priceFor bug
    ['GET', '/api/orders/1042', '', 'u-3301'],
];
$log->info('listening', ['addr' => '127.0.0.1:8000']);
foreach ($requests as $i => [$method, $path, $body, $user]) {
    $server = ['REQUEST_METHOD' => $method, 'REQUEST_URI' => $path, 'HTTP_X_REQUEST_ID' => requestId($lib, $i)];
    if ($user !== '') {
        $server['HTTP_X_USER_ID'] = $user;
    }
    $app->handle($server, $body);
    usleep(3000);
}
