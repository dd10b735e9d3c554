<?php
// Stand-ins for the few WHMCS functions and classes the module calls. The test controls them through files in
// the state directory (HVR_HARNESS_STATE): settings.json, sessions/<cookie>.json, module-log.jsonl.
// A session file holds {"client_id": 1, "admin_id": null, "masquerading": false, "csrf": "..."}; the browser
// only holds the opaque cookie, exactly as with a real WHMCS session.

namespace {
    define('WHMCS', true);

    function harness_state(string $file): string
    {
        return rtrim((string) getenv('HVR_HARNESS_STATE'), '/') . '/' . $file;
    }

    function harness_session(): array
    {
        $id = $_COOKIE['WHMCSHARNESS'] ?? '';
        if (!is_string($id) || !preg_match('/^[A-Za-z0-9]{8,64}$/', $id) || !is_file(harness_state("sessions/{$id}.json"))) {
            return [];
        }
        return (array) json_decode((string) file_get_contents(harness_state("sessions/{$id}.json")), true);
    }

    function harness_settings(): array
    {
        $file = harness_state('settings.json');
        return is_file($file) ? (array) json_decode((string) file_get_contents($file), true) : [];
    }

    $GLOBALS['harness_hooks'] = [];

    function add_hook(string $name, int $priority, callable $fn): void
    {
        $GLOBALS['harness_hooks'][$name][] = $fn;
    }

    function generate_token(string $type = 'link'): string
    {
        $token = (string) (harness_session()['csrf'] ?? '');
        return $type === 'plain' ? $token : '&token=' . $token;
    }

    function logModuleCall($module, $action, $request, $response, $processed = '', $replace = []): void
    {
        $entry = ['module' => $module, 'action' => $action, 'request' => $request, 'response' => $response, 'processed' => $processed];
        $line = (string) json_encode($entry, JSON_UNESCAPED_SLASHES);
        foreach ((array) $replace as $secret) {
            if (is_string($secret) && $secret !== '') {
                $line = str_replace($secret, '***', $line);
            }
        }
        file_put_contents(harness_state('module-log.jsonl'), $line . "\n", FILE_APPEND | LOCK_EX);
    }
}

namespace WHMCS\Authentication {
    final class CurrentUser
    {
        public function client(): ?object
        {
            $id = harness_session()['client_id'] ?? null;
            return $id === null ? null : (object) ['id' => (int) $id];
        }

        public function admin(): ?object
        {
            $id = harness_session()['admin_id'] ?? null;
            return $id === null ? null : (object) ['id' => (int) $id];
        }

        public function user(): ?object
        {
            return $this->client();
        }

        public function isMasqueradingAdmin(): bool
        {
            return (bool) (harness_session()['masquerading'] ?? false);
        }
    }
}

namespace WHMCS\View\Menu {
    final class Item
    {
        private array $children = [];

        public function __construct(public readonly string $name = 'root', public readonly array $options = [])
        {
        }

        public function addChild(string $name, array $options = []): self
        {
            return $this->children[$name] = new self($name, $options);
        }

        public function getChild(string $name): ?self
        {
            return $this->children[$name] ?? null;
        }

        public function getChildren(): array
        {
            return $this->children;
        }
    }
}

namespace WHMCS\Database {
    // Only what the module's activation reads: the saved addon settings.
    final class Capsule
    {
        private array $where = [];

        public static function table(string $name): self
        {
            return new self();
        }

        public function where(string $column, string $value): self
        {
            $this->where[$column] = $value;
            return $this;
        }

        public function pluck(string $value, string $key): array
        {
            return ($this->where['module'] ?? '') === 'hypervrestore' ? harness_settings() : [];
        }
    }
}
