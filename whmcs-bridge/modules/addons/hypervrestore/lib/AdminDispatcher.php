<?php
// Admin area (_output): restore runs of all clients, one run with its events, cancel, agents, sidecar health.
// The sidecar renders the pages for the admin id WHMCS says is logged in; this class only picks the route.

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
    ];

    public function __construct(
        private readonly SidecarClient $client,
        private readonly Identity $identity,
        private readonly array $vars,
    ) {
    }

    public function dispatch(array $query, array $post, array $server): string
    {
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
        return str_replace(self::CSRF_SLOT, $filled, $response->body);
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
        foreach (['runs' => 'admin_runs', 'agents' => 'admin_agents'] as $name => $key) {
            $class = $name === $action || ($name === 'runs' && $action === 'run') ? 'btn btn-primary' : 'btn btn-default';
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
