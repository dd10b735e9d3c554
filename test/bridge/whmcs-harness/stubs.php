<?php
// Stand-ins for the few WHMCS functions and classes the module calls. The test controls them through files in
// the state directory (HVR_HARNESS_STATE): settings.json, sessions/<cookie>.json, module-log.jsonl, localapi.jsonl
// (every localAPI call, recorded), localapi-fail.json (client ids whose SendEmail answers an error) and
// table-<name>.json (rows of a WHMCS table the module writes, e.g. tblemailtemplates).
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

    /** WHMCS's internal API, recording each call. SendEmail answers as WHMCS does: success, or an error for a client
     *  listed in localapi-fail.json (the test's "mail is down"). customvars is decoded as WHMCS would decode it. */
    function localAPI(string $command, array $values = [], string $adminUser = ''): array
    {
        $call = ['command' => $command, 'values' => $values];
        if (isset($values['customvars']) && is_string($values['customvars'])) {
            $call['customvars_decoded'] = unserialize(base64_decode($values['customvars'], true), ['allowed_classes' => false]);
        }
        $failFile = harness_state('localapi-fail.json');
        $failing = is_file($failFile) ? (array) json_decode((string) file_get_contents($failFile), true) : [];
        $result = $command === 'SendEmail' && in_array((int) ($values['id'] ?? 0), array_map('intval', $failing), true)
            ? ['result' => 'error', 'message' => 'Email Sending Failed - SMTP Error: Could not connect to SMTP host']
            : ['result' => 'success'];
        $call['result'] = $result['result'];
        file_put_contents(harness_state('localapi.jsonl'), json_encode($call, JSON_UNESCAPED_SLASHES) . "\n", FILE_APPEND | LOCK_EX);
        return $result;
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
    // Only what the module uses: the saved addon settings (read), and rows of other tables kept as JSON files in the
    // state folder (where/exists/first/get/insert/update), enough for the e-mail template the module creates.
    final class Capsule
    {
        private array $where = [];

        private function __construct(private readonly string $name)
        {
        }

        public static function table(string $name): self
        {
            return new self($name);
        }

        public function where(string $column, mixed $value): self
        {
            $this->where[$column] = $value;
            return $this;
        }

        public function pluck(string $value, string $key): array
        {
            return $this->name === 'tbladdonmodules' && ($this->where['module'] ?? '') === 'hypervrestore' ? harness_settings() : [];
        }

        public function get(): array
        {
            return array_values(array_filter($this->rows(), fn (array $row) => $this->matches($row)));
        }

        public function first(): ?object
        {
            $rows = $this->get();
            return $rows === [] ? null : (object) $rows[0];
        }

        public function exists(): bool
        {
            return $this->get() !== [];
        }

        public function insert(array $row): bool
        {
            $rows = $this->rows();
            $rows[] = ['id' => count($rows) + 1] + $row;
            $this->save($rows);
            return true;
        }

        public function update(array $set): int
        {
            $changed = 0;
            $rows = array_map(function (array $row) use ($set, &$changed) {
                if (!$this->matches($row)) {
                    return $row;
                }
                $changed++;
                return array_merge($row, $set);
            }, $this->rows());
            $this->save($rows);
            return $changed;
        }

        private function matches(array $row): bool
        {
            foreach ($this->where as $column => $value) {
                if ((string) ($row[$column] ?? '') !== (string) $value) {
                    return false;
                }
            }
            return true;
        }

        private function file(): string
        {
            return harness_state('table-' . preg_replace('/[^a-z0-9_]/', '', $this->name) . '.json');
        }

        private function rows(): array
        {
            return is_file($this->file()) ? (array) json_decode((string) file_get_contents($this->file()), true) : [];
        }

        private function save(array $rows): void
        {
            file_put_contents($this->file(), json_encode($rows, JSON_UNESCAPED_SLASHES | JSON_PRETTY_PRINT), LOCK_EX);
        }
    }
}
