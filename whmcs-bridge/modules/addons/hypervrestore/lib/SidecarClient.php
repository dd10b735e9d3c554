<?php
// Signs one request exactly as the contract says (HMAC-SHA256 over the canonical string, fresh nonce) and sends it
// with cURL. It never decides anything about the answer: status, content type and body go back to the caller.

namespace WHMCS\Module\Addon\HypervRestore;

final class SidecarUnavailable extends \RuntimeException
{
}

final class SidecarClient
{
    private const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

    public function __construct(private readonly Settings $settings)
    {
    }

    public function settings(): Settings
    {
        return $this->settings;
    }

    public static function canonicalString(
        string $timestamp,
        string $nonce,
        string $method,
        string $pathAndQuery,
        string $clientId,
        string $adminId,
        string $body,
    ): string {
        return implode("\n", [$timestamp, $nonce, strtoupper($method), $pathAndQuery, $clientId, $adminId, hash('sha256', $body)]);
    }

    public static function sign(string $secret, string $canonical): string
    {
        return hash_hmac('sha256', $canonical, $secret);
    }

    /** 32 characters of [0-9a-f]: inside the contract's 16-64 [A-Za-z0-9_-]. */
    public static function nonce(): string
    {
        return bin2hex(random_bytes(16));
    }

    /**
     * Sends a signed request. $pathAndQuery is the request target the sidecar receives (e.g. /api/runs/5).
     * Throws SidecarUnavailable when the sidecar cannot be reached or the module is not configured.
     */
    public function send(string $method, string $pathAndQuery, string $clientId, string $adminId, string $body = '', string $contentType = ''): SidecarResponse
    {
        $this->assertConfigured();
        $timestamp = (string) time();
        $nonce = self::nonce();
        $signature = self::sign($this->settings->secret, self::canonicalString($timestamp, $nonce, $method, $pathAndQuery, $clientId, $adminId, $body));
        $headers = [
            'X-Bridge-Timestamp: ' . $timestamp,
            'X-Bridge-Nonce: ' . $nonce,
            'X-Bridge-Client-Id: ' . $clientId,
            'X-Bridge-Admin-Id: ' . $adminId,
            'X-Bridge-Signature: ' . $signature,
            'Accept: application/json, text/html;q=0.9, */*;q=0.1',
            // An empty Expect stops cURL from waiting for "100 Continue" on larger bodies.
            'Expect:',
        ];
        if ($body !== '' || strtoupper($method) !== 'GET') {
            $headers[] = 'Content-Type: ' . ($contentType !== '' ? $contentType : 'application/json');
        }
        return $this->exchange(strtoupper($method), $pathAndQuery, $headers, $body);
    }

    /** send(), or null after logging (logModuleCall) why the sidecar could not serve the request. */
    public function sendOrLog(string $action, string $method, string $pathAndQuery, string $clientId, string $adminId, string $body = '', string $contentType = ''): ?SidecarResponse
    {
        $who = $clientId !== '' ? ' (client ' . $clientId . ')' : ($adminId !== '' ? ' (admin ' . $adminId . ')' : ' (bridge)');
        $request = $method . ' ' . $pathAndQuery . $who;
        try {
            $response = $this->send($method, $pathAndQuery, $clientId, $adminId, $body, $contentType);
        } catch (SidecarUnavailable $e) {
            Unavailable::log($this->settings, $action, $request, $e->getMessage());
            return null;
        }
        $problem = Unavailable::problemWith($response);
        if ($problem !== null) {
            Unavailable::log($this->settings, $action, $request, $problem);
            return null;
        }
        return $response;
    }

    /** GET /healthz (unsigned): a short summary when the sidecar answers 200, null otherwise. */
    public function health(): ?string
    {
        try {
            $response = $this->exchange('GET', '/healthz', ['Accept: application/json'], '', false);
        } catch (SidecarUnavailable $e) {
            return null;
        }
        $data = json_decode($response->body, true);
        if ($response->status !== 200 || !is_array($data)) {
            return null;
        }
        $pending = is_array($data['pending_migrations'] ?? null) ? count($data['pending_migrations']) : 0;
        return 'database ' . (string) ($data['database'] ?? '?') . ', schema ' . (string) ($data['schema_version'] ?? '?')
            . ($pending > 0 ? ", {$pending} migration(s) pending" : '');
    }

    private function assertConfigured(): void
    {
        if (!$this->settings->urlIsValid()) {
            throw new SidecarUnavailable('The Sidecar URL setting is not a valid http(s) URL');
        }
        if (strlen($this->settings->secret) < 32) {
            throw new SidecarUnavailable('The Bridge secret setting is missing or shorter than 32 characters');
        }
    }

    private function exchange(string $method, string $pathAndQuery, array $headers, string $body, bool $checked = true): SidecarResponse
    {
        if (!$checked && !$this->settings->urlIsValid()) {
            throw new SidecarUnavailable('The Sidecar URL setting is not a valid http(s) URL');
        }
        if (!function_exists('curl_init')) {
            throw new SidecarUnavailable('The PHP cURL extension is not installed');
        }
        $contentType = '';
        $received = '';
        $curl = curl_init($this->settings->sidecarUrl . $pathAndQuery);
        curl_setopt_array($curl, [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_HTTPHEADER => $headers,
            CURLOPT_RETURNTRANSFER => false,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_PROTOCOLS => CURLPROTO_HTTP | CURLPROTO_HTTPS,
            CURLOPT_CONNECTTIMEOUT => min(5, $this->settings->timeout),
            CURLOPT_TIMEOUT => $this->settings->timeout,
            CURLOPT_NOSIGNAL => true,
            // '' = every encoding this cURL can decode (gzip at least): a listing page travels as a few KiB instead
            // of up to ~128 KiB, and cURL hands over the decoded body, so nothing below changes.
            CURLOPT_ENCODING => '',
            CURLOPT_HEADERFUNCTION => static function ($handle, string $line) use (&$contentType): int {
                if (stripos($line, 'content-type:') === 0) {
                    $contentType = trim(substr($line, 13));
                }
                return strlen($line);
            },
            // Streams into a capped buffer, so a misbehaving sidecar cannot exhaust PHP's memory.
            CURLOPT_WRITEFUNCTION => static function ($handle, string $chunk) use (&$received): int {
                if (strlen($received) + strlen($chunk) > self::MAX_RESPONSE_BYTES) {
                    return 0;
                }
                $received .= $chunk;
                return strlen($chunk);
            },
        ]);
        if ($body !== '' || !in_array($method, ['GET', 'HEAD'], true)) {
            curl_setopt($curl, CURLOPT_POSTFIELDS, $body);
        }
        $ok = curl_exec($curl);
        $status = (int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
        $error = curl_error($curl);
        curl_close($curl);
        if ($ok === false || $status === 0) {
            throw new SidecarUnavailable($error !== '' ? $error : 'no answer from the sidecar');
        }
        return new SidecarResponse($status, $contentType, $received);
    }
}
