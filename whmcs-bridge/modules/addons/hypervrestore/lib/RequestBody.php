<?php
// Turns the browser's POST body into the JSON the sidecar expects: JSON is passed on byte for byte (it is what
// gets signed); form bodies become a JSON object without the CSRF token field.

namespace WHMCS\Module\Addon\HypervRestore;

final class RequestBody
{
    // The sidecar refuses bodies over 64 KiB; refusing them here saves a round trip.
    public const MAX_BYTES = 64 * 1024;

    /** @return array{0: string, 1: string}|null [body, content type], or null when the body is too large */
    public static function read(array $post, array $server, ?string $raw = null): ?array
    {
        $type = strtolower(trim(explode(';', (string) ($server['CONTENT_TYPE'] ?? ''))[0]));
        if ((int) ($server['CONTENT_LENGTH'] ?? 0) > self::MAX_BYTES) {
            return null;
        }
        if ($type === 'application/json') {
            $raw ??= (string) file_get_contents('php://input', false, null, 0, self::MAX_BYTES + 1);
            return strlen($raw) > self::MAX_BYTES ? null : [$raw, 'application/json'];
        }
        unset($post['token']);
        if ($post === []) {
            return ['', 'application/json'];
        }
        return [(string) json_encode($post, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE), 'application/json'];
    }
}
