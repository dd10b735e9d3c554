<?php
// The checks every proxied JSON call passes before it is signed, the same for the client area and the admin page:
// an allow-listed name, a logged-in caller, the route's method, WHMCS's CSRF token on POST, the route's parameters
// and the body's size. A refusal never reaches the sidecar.

namespace WHMCS\Module\Addon\HypervRestore;

final class ApiRequest
{
    /**
     * @param array<string, array{0: string, 1: string, 2: list<string>}> $routes the caller's allow-list
     * @return SidecarResponse|array{0: string, 1: string, 2: string, 3: string} a refusal, or [method, target, body, content type]
     */
    public static function check(array $routes, bool $loggedIn, array $vars, array $query, array $post, array $server)
    {
        $route = is_string($query['api'] ?? null) ? ($routes[$query['api']] ?? null) : null;
        if ($route === null) {
            return SidecarResponse::fail(404, Lang::text($vars, 'not_found'));
        }
        if (!$loggedIn) {
            return SidecarResponse::fail(401, Lang::text($vars, 'login_required'));
        }
        $method = strtoupper((string) ($server['REQUEST_METHOD'] ?? 'GET'));
        if ($method !== $route[0]) {
            return SidecarResponse::fail(405, Lang::text($vars, 'method_not_allowed'));
        }
        if ($method === 'POST' && !Csrf::valid($post, $server)) {
            return SidecarResponse::fail(403, Lang::text($vars, 'csrf_failed'));
        }
        $target = ClientRoutes::target($route[1], $route[2], $query);
        if ($target === null) {
            return SidecarResponse::fail(400, Lang::text($vars, 'bad_request'));
        }
        $body = $method === 'POST' ? RequestBody::read($post, $server) : ['', ''];
        if ($body === null) {
            return SidecarResponse::fail(413, Lang::text($vars, 'body_too_large'));
        }
        return [$method, $target, $body[0], $body[1]];
    }
}
