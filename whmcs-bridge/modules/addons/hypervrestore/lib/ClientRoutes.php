<?php
// The fixed allow-list of what the client area may reach on the sidecar. Anything not named here is refused
// before a request is signed. Query parameters are passed on only when listed for the route.

namespace WHMCS\Module\Addon\HypervRestore;

final class ClientRoutes
{
    /** view => [sidecar path, allowed query parameters] */
    public const VIEWS = [
        'hyperv' => ['/pages/hyperv', ['job_id']],
        'restore' => ['/pages/hyperv-restore', ['vm_id']],
        // notice (on/off) is the bridge's own setting, set by ClientDispatcher over whatever the request said.
        'live' => ['/pages/live', ['run_id', 'notice']],
    ];

    /** api => [method, sidecar path ({run} is taken from the run parameter), allowed query parameters] */
    public const APIS = [
        'vms' => ['GET', '/api/hyperv/vms', ['job_id']],
        'backup-points' => ['GET', '/api/hyperv/backup-points', ['vm_id', 'limit', 'offset', 'type']],
        'restores' => ['POST', '/api/hyperv/restores', []],
        'run' => ['GET', '/api/runs/{run}', []],
        'run-events' => ['GET', '/api/runs/{run}/events', ['after']],
        'run-cancel' => ['POST', '/api/runs/{run}/cancel', []],
    ];

    // Values are the sidecar's to validate (it knows the rules); the bridge only keeps out control characters and
    // oversized input. Names are what the allow-list is about. VM names in admin filters may contain spaces.
    private const VALUE = '/^[^\x00-\x1F\x7F]{1,255}$/u';
    private const RUN = '/^(?:[0-9]{1,20}|[0-9A-Fa-f-]{36})$/';
    private const ASSET = '#^[A-Za-z0-9_-][A-Za-z0-9_./-]{0,200}$#';

    /** Builds "path?query" from the allowed parameters; null when a value is malformed. */
    public static function target(string $path, array $allowed, array $query): ?string
    {
        $pass = [];
        foreach ($allowed as $name) {
            if (!array_key_exists($name, $query) || $query[$name] === '') {
                continue;
            }
            if (!is_string($query[$name]) || !preg_match(self::VALUE, $query[$name])) {
                return null;
            }
            $pass[$name] = $query[$name];
        }
        if (str_contains($path, '{run}')) {
            $run = $query['run'] ?? $query['run_id'] ?? null;
            if (!is_string($run) || !preg_match(self::RUN, $run)) {
                return null;
            }
            $path = str_replace('{run}', rawurlencode($run), $path);
        }
        return $pass === [] ? $path : $path . '?' . http_build_query($pass, '', '&', PHP_QUERY_RFC3986);
    }

    /** /assets/<path> for a plain relative asset path; null for anything that could climb out of /assets. */
    public static function asset(mixed $path): ?string
    {
        if (!is_string($path) || !preg_match(self::ASSET, $path) || str_contains($path, '..') || str_contains($path, '//')) {
            return null;
        }
        return '/assets/' . $path;
    }
}
