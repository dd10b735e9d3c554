<?php
// Admin area (_output): restore runs of all clients, one run with its events, cancel, agents, sidecar health, and a
// restore started for a client (VM search, then the client's own wizard, whose api=/asset= calls come back here).
// The sidecar renders the pages for the admin id WHMCS says is logged in; this class only picks the route. WHMCS
// calls _output only for admins whose role may use the addon (Setup > Addon Modules > Access Control), so those
// are the only admins whose id is ever forwarded.

namespace WHMCS\Module\Addon\HypervRestore;

final class AdminDispatcher
{
    public const MODULE_LINK = 'addonmodules.php?module=hypervrestore';
    /**
     * Sidecar admin pages print this element where WHMCS's CSRF token belongs (they never see the token itself).
     * Only this exact tag is filled: text inside the page (VM names, paths, events) is escaped by the sidecar, so it
     * cannot spell the tag, and the token never lands in it.
     */
    public const CSRF_SLOT = '<input type="hidden" name="token" data-hvr-csrf-slot>';

    private const PAGES = [
        'runs' => ['/admin/pages/runs', ['status', 'client_id', 'vm', 'page']],
        'run' => ['/admin/pages/runs/{run}', []],
        'agents' => ['/admin/pages/agents', ['client_id']],
        'vms' => ['/admin/pages/vms', ['client_id', 'vm', 'job']],
        'restore' => ['/admin/pages/restore', ['vm_id']],
    ];

    /** What the admin's restore wizard calls: api => [method, sidecar path, allowed query parameters] */
    private const APIS = [
        'backup-points' => ['GET', '/admin/api/hyperv/backup-points', ['vm_id', 'limit', 'offset', 'type']],
        'restores' => ['POST', '/admin/api/hyperv/restores', []],
    ];

    public function __construct(
        private readonly SidecarClient $client,
        private readonly Identity $identity,
        private readonly array $vars,
    ) {
    }

    /** The admin page's HTML, or a SidecarResponse (the wizard's JSON and assets) to send as the whole response. */
    public function dispatch(array $query, array $post, array $server): string|SidecarResponse
    {
        if (isset($query['api'])) {
            return $this->api($query, $post, $server);
        }
        if (isset($query['asset'])) {
            $target = ClientRoutes::asset($query['asset']);
            if ($target === null || $this->identity->adminId === null) {
                return SidecarResponse::fail($target === null ? 404 : 401, Lang::text($this->vars, $target === null ? 'not_found' : 'login_required'));
            }
            return $this->call('GET', $target, 'admin:asset') ?? Unavailable::json($this->vars);
        }
        $action = is_string($query['action'] ?? null) ? $query['action'] : 'runs';
        $notice = '';
        if ($action === 'cancel') {
            $notice = $this->cancel($query, $post, $server);
            $action = 'run';
        }
        if ($action === 'runs' && $this->identity->adminId !== null) {
            // Opening the module's page also delivers due restore-finished e-mails (a WHMCS whose cron is late).
            (new NoticePass($this->client))->run();
        }
        return $this->header($action) . $notice . $this->page($action, $query);
    }

    private function page(string $action, array $query): string
    {
        if ($this->identity->adminId === null) {
            return $this->alert('danger', Lang::text($this->vars, 'login_required'));
        }
        $route = self::PAGES[$action] ?? null;
        $query['run'] = $query['run_id'] ?? null;
        $target = $route !== null ? ClientRoutes::target($route[0], $route[1], $query) : null;
        if ($target === null) {
            return $this->alert('danger', Lang::text($this->vars, $route === null ? 'not_found' : 'bad_request'));
        }
        $response = $this->call('GET', $target, 'admin:' . $action);
        if ($response === null) {
            return $this->alert('warning', Lang::text($this->vars, 'admin_unavailable'));
        }
        if (!$response->isHtml()) {
            return $this->alert('danger', $response->failMessage() ?? Lang::text($this->vars, 'bad_request'));
        }
        $filled = '<input type="hidden" name="token" value="' . htmlspecialchars(Csrf::token()) . '">';
        $body = str_replace(self::CSRF_SLOT, $filled, $response->body);
        // The wizard's script sends its calls to data-hvr-base with the session's CSRF token, as in the client area.
        return $action !== 'restore' ? $body : '<div class="hypervrestore-bridge" data-hvr-base="' . htmlspecialchars(self::MODULE_LINK)
            . '" data-hvr-csrf="' . htmlspecialchars(Csrf::token()) . '">' . $body . '</div>';
    }

    private function api(array $query, array $post, array $server): SidecarResponse
    {
        $checked = ApiRequest::check(self::APIS, $this->identity->adminId !== null, $this->vars, $query, $post, $server);
        if ($checked instanceof SidecarResponse) {
            return $checked;
        }
        [$method, $target, $body, $type] = $checked;
        return $this->client->sendOrLog('admin:api:' . $query['api'], $method, $target, '', (string) $this->identity->adminId, $body, $type)
            ?? Unavailable::json($this->vars);
    }

    private function cancel(array $query, array $post, array $server): string
    {
        if (strtoupper((string) ($server['REQUEST_METHOD'] ?? 'GET')) !== 'POST') {
            return $this->alert('danger', Lang::text($this->vars, 'method_not_allowed'));
        }
        if (!Csrf::valid($post, $server)) {
            return $this->alert('danger', Lang::text($this->vars, 'csrf_failed'));
        }
        $target = ClientRoutes::target('/admin/api/runs/{run}/cancel', [], ['run' => $query['run_id'] ?? null]);
        if ($target === null || $this->identity->adminId === null) {
            return $this->alert('danger', Lang::text($this->vars, 'bad_request'));
        }
        $response = $this->call('POST', $target, 'admin:cancel');
        if ($response === null) {
            return $this->alert('warning', Lang::text($this->vars, 'admin_unavailable'));
        }
        $decoded = json_decode($response->body, true);
        $said = is_array($decoded) && is_string($decoded['message'] ?? null) ? $decoded['message'] : null;
        return $response->status < 300
            ? $this->alert('success', $said ?? Lang::text($this->vars, 'admin_cancel_requested'))
            : $this->alert('danger', $response->failMessage() ?? ('HTTP ' . $response->status));
    }

    private function call(string $method, string $target, string $action): ?SidecarResponse
    {
        $body = $method === 'POST' ? '{}' : '';
        return $this->client->sendOrLog($action, $method, $target, '', (string) $this->identity->adminId, $body);
    }

    private function header(string $action): string
    {
        $tabs = '';
        $tabOf = ['run' => 'runs', 'restore' => 'vms'];
        foreach (['runs' => 'admin_runs', 'vms' => 'admin_start', 'agents' => 'admin_agents'] as $name => $key) {
            $class = $name === ($tabOf[$action] ?? $action) ? 'btn btn-primary' : 'btn btn-default';
            $tabs .= '<a class="' . $class . '" href="' . htmlspecialchars(self::MODULE_LINK . '&action=' . $name) . '">'
                . htmlspecialchars(Lang::text($this->vars, $key)) . '</a> ';
        }
        $health = $this->client->health();
        $line = $health !== null
            ? '<span class="label label-success">' . htmlspecialchars(Lang::text($this->vars, 'admin_health_ok')) . '</span> '
                . htmlspecialchars($this->client->settings()->sidecarUrl . ': ' . $health)
            : '<span class="label label-danger">' . htmlspecialchars(Lang::text($this->vars, 'admin_health_down')) . '</span> '
                . htmlspecialchars($this->client->settings()->sidecarUrl);
        return '<div class="hypervrestore-admin"><p class="hypervrestore-health">' . $line . '</p><p>' . $tabs . '</p></div>';
    }

    private function alert(string $kind, string $text): string
    {
        return '<div class="alert alert-' . $kind . '" role="alert">' . htmlspecialchars($text) . '</div>';
    }
}
