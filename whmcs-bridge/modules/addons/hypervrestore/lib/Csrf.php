<?php
// WHMCS's own CSRF token (the one its templates print as {$token}), required on every state-changing call.

namespace WHMCS\Module\Addon\HypervRestore;

final class Csrf
{
    public static function token(): string
    {
        return function_exists('generate_token') ? (string) generate_token('plain') : '';
    }

    /** The token may come as the X-CSRF-Token header (fetch) or the "token" form field (plain forms). */
    public static function valid(array $post, array $server): bool
    {
        $expected = self::token();
        $given = $server['HTTP_X_CSRF_TOKEN'] ?? $post['token'] ?? '';
        return $expected !== '' && is_string($given) && $given !== '' && hash_equals($expected, $given);
    }
}
