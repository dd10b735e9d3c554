<?php
// One answer from the sidecar (or one the bridge makes itself): status, content type, body.

namespace WHMCS\Module\Addon\HypervRestore;

final class SidecarResponse
{
    public function __construct(
        public readonly int $status,
        public readonly string $contentType,
        public readonly string $body,
    ) {
    }

    public static function json(int $status, array $payload): self
    {
        return new self($status, 'application/json; charset=utf-8', (string) json_encode($payload, JSON_UNESCAPED_SLASHES));
    }

    public static function fail(int $status, string $message): self
    {
        return self::json($status, ['status' => 'fail', 'message' => $message]);
    }

    public function isJson(): bool
    {
        return str_starts_with(strtolower($this->contentType), 'application/json');
    }

    public function isHtml(): bool
    {
        return str_starts_with(strtolower($this->contentType), 'text/html');
    }

    /** The envelope's message of a JSON failure, or null. */
    public function failMessage(): ?string
    {
        if (!$this->isJson()) {
            return null;
        }
        $decoded = json_decode($this->body, true);
        return is_array($decoded) && is_string($decoded['message'] ?? null) ? $decoded['message'] : null;
    }

    /** Sends this answer as the whole HTTP response (the caller exits right after). */
    public function send(string $cacheControl = 'no-store'): void
    {
        if (!headers_sent()) {
            http_response_code($this->status);
            header('Content-Type: ' . ($this->contentType !== '' ? $this->contentType : 'application/octet-stream'));
            header('X-Content-Type-Options: nosniff');
            header('Cache-Control: ' . $cacheControl);
        }
        echo $this->body;
    }
}
