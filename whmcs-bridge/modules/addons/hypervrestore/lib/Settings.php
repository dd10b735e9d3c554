<?php
// The module settings (sidecar URL, bridge secret, timeout, the restore-finished e-mail), read once and checked
// before any request is signed.

namespace WHMCS\Module\Addon\HypervRestore;

final class Settings
{
    public const DEFAULT_URL = 'http://127.0.0.1:8787';
    public const DEFAULT_TIMEOUT = 15;

    public function __construct(
        public readonly string $sidecarUrl,
        public readonly string $secret,
        public readonly int $timeout,
        public readonly bool $notifyClient = true,
    ) {
    }

    public static function fromVars(array $vars): self
    {
        $url = trim((string) ($vars['sidecar_url'] ?? ''));
        $timeout = (int) ($vars['timeout'] ?? 0);
        return new self(
            rtrim($url !== '' ? $url : self::DEFAULT_URL, '/'),
            trim((string) ($vars['bridge_secret'] ?? '')),
            $timeout >= 1 && $timeout <= 300 ? $timeout : self::DEFAULT_TIMEOUT,
            self::yesNo($vars['notify_client'] ?? null, true),
        );
    }

    /** A WHMCS yesno field: 'on' when ticked, '' when not; never saved yet (null) means its default. */
    private static function yesNo(mixed $value, bool $default): bool
    {
        if ($value === null) {
            return $default;
        }
        return in_array(strtolower(trim((string) $value)), ['on', 'yes', '1', 'true'], true);
    }

    /** The saved settings, for hooks that run without $vars (activation). Read-only: no schema work here. */
    public static function storedVars(): array
    {
        if (!class_exists('\WHMCS\Database\Capsule')) {
            return [];
        }
        try {
            $rows = \WHMCS\Database\Capsule::table('tbladdonmodules')
                ->where('module', 'hypervrestore')
                ->pluck('value', 'setting');
            return is_array($rows) ? $rows : (method_exists($rows, 'toArray') ? $rows->toArray() : []);
        } catch (\Throwable $e) {
            return [];
        }
    }

    /**
     * Only plain http(s) URLs with a host: anything else would let a setting point cURL at file:// or gopher://.
     * A user, password, query or fragment each makes the URL refused on its own (the bridge appends paths to it).
     */
    public function urlIsValid(): bool
    {
        $parts = parse_url($this->sidecarUrl);
        return is_array($parts)
            && in_array(strtolower($parts['scheme'] ?? ''), ['http', 'https'], true)
            && ($parts['host'] ?? '') !== ''
            && !isset($parts['user'])
            && !isset($parts['pass'])
            && !isset($parts['query'])
            && !isset($parts['fragment']);
    }
}
